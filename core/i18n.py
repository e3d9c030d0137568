from django.utils.translation import get_language


def localized(english: str, japanese: str) -> str:
    """The Japanese text when the reader's language is Japanese and it exists, else the English."""
    return japanese if japanese and (get_language() or "").startswith("ja") else english
