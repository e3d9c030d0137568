from celery import shared_task

from .services import contract_expire_due


@shared_task
def expire_contracts():
    """Daily: contracts past their end renew automatically or expire."""
    return contract_expire_due()
