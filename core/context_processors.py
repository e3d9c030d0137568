from .roles import AUDIT_ROLES, COMPLIANCE, PROCUREMENT, has_role


def roles(request):
    user = request.user
    return {
        "is_procurement": has_role(user, PROCUREMENT),
        "is_compliance": has_role(user, COMPLIANCE),
        "can_audit": has_role(user, *AUDIT_ROLES),
    }
