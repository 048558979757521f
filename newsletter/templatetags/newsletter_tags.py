from django import template

from newsletter import selectors

register = template.Library()


@register.simple_tag
def newsletter_subscription(user):
    """The member's subscription (matched by the account's email address), or None."""
    return selectors.subscriber_for_user(user=user)
