from django.utils.translation import get_language


def localized(english: str, japanese: str) -> str:
    """The Japanese text when the reader's language is Japanese and it exists, else the English."""
    return japanese if japanese and (get_language() or "").startswith("ja") else english


def bilingual(english: str, japanese: str) -> property:
    """A model's text in the reader's language (see localized), stored in the fields `english` and
    `japanese`. Setting it (`Clause(title=...)`) sets the English text, which every language falls back to."""

    def read(instance) -> str:
        return localized(getattr(instance, english), getattr(instance, japanese))

    def write(instance, text: str) -> None:
        setattr(instance, english, text)

    return property(read, write)
