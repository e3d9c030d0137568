"""Roles are Django groups (created by a data migration); superusers may do everything."""

from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

PROCUREMENT = "procurement"
COMPLIANCE = "compliance"
VIEWER = "viewer"
ALL_ROLES = (PROCUREMENT, COMPLIANCE, VIEWER)
AUDIT_ROLES = (COMPLIANCE, VIEWER)  # who may read the audit trail (and see its menu entry)


def user_roles(user) -> frozenset[str]:
    """The role names of a user, read once per request and cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user_roles(user).intersection(roles))


def require_role(user, *roles: str) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied


class RoleRequiredMixin(AccessMixin):
    """Refuses with 403 unless the signed-in user holds one of `roles` (anonymous users go to login)."""

    roles: tuple[str, ...] = ALL_ROLES

    def get_roles(self) -> tuple[str, ...]:
        return self.roles

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_role(request.user, *self.get_roles())
        return super().dispatch(request, *args, **kwargs)


def active_users_with_role(role: str) -> list:
    """Everyone who currently holds `role`, with their language preference loaded (for emails)."""
    return list(get_user_model().objects.filter(is_active=True, groups__name=role).select_related("profile"))
