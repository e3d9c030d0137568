from axes.backends import AxesStandaloneBackend


class AxesLockoutBackend(AxesStandaloneBackend):
    """Axes' lock-out check for the sign-ins that come with a request (every sign-in page does).

    An `authenticate()` call without a request (Django's test client's login(), a script) has no client to
    throttle: Axes would raise, so it is passed on to the ModelBackend, which still checks the password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
