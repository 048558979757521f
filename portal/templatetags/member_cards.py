"""The directory's member cards and the connection box of a profile, written in Python.

A directory page shows 20 cards, each with a dozen values, a list of tags and a box of buttons:
as templates (an include per card and per box) they were about 70% of the page's CPU time, most
of it the template engine looking names up and rendering nodes, not the markup itself. The same
markup built with `format_html` costs a fraction of that. Every value goes through
`format_html`, which escapes it.

    {% load member_cards %}
    {% member_cards profiles can_take_part=can_take_part next=request.get_full_path %}
    {% connection_action profile can_take_part=can_take_part next=request.get_full_path %}

The profiles come from `portal.selectors.directory_rows` or `profile_for_viewer`, which set the
viewer's connection state on them (is_connected, sent_request_id, received_request_id,
ask_again_from) and their `expertise_list`.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from portal.fast_urls import fast_reverse
from portal.templatetags.portal_tags import avatar

register = template.Library()

TAGS_SHOWN = 5


def _csrf_input(context: template.Context) -> SafeString:
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker of no token
        return mark_safe("")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _answer_form(
    action: str, label: str, hidden: str, *, csrf: SafeString, next_url: str, secondary: bool
) -> SafeString:
    return format_html(
        '<form method="post" action="{}">{}<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="button button--small{}">{}'
        '<span class="visually-hidden"> {}</span></button></form>',
        action,
        csrf,
        next_url,
        " button--secondary" if secondary else "",
        label,
        hidden,
    )


def _connection_action(
    profile, *, name: str, can_take_part: bool, next_url: str, csrf: SafeString
) -> SafeString:
    """What the viewer can do about their connection with `profile`."""
    if profile.is_connected:
        inner = format_html(
            '<span class="state state--connected">Connected</span>\n'
            '<a class="button button--small" href="{}">Message'
            '<span class="visually-hidden"> {}</span></a>',
            fast_reverse("portal:message_member", profile.public_id),
            name,
        )
    elif profile.sent_request_id:
        inner = format_html(
            '<span class="state">Request sent</span>\n{}',
            _answer_form(
                fast_reverse("portal:request_withdraw", profile.sent_request_id),
                "Withdraw",
                f"request to {name}",
                csrf=csrf,
                next_url=next_url,
                secondary=True,
            ),
        )
    elif profile.received_request_id:
        request_id = profile.received_request_id
        inner = format_html(
            '<span class="state">Wants to connect</span>\n{}\n{}',
            _answer_form(
                fast_reverse("portal:request_accept", request_id),
                "Accept",
                name,
                csrf=csrf,
                next_url=next_url,
                secondary=False,
            ),
            _answer_form(
                fast_reverse("portal:request_decline", request_id),
                "Decline",
                name,
                csrf=csrf,
                next_url=next_url,
                secondary=True,
            ),
        )
    elif profile.ask_again_from:
        inner = format_html(
            '<p class="state state--note">{} declined your last request. '
            "You can ask again from {}.</p>",
            profile.user.first_name or "This member",
            date_filter(template_localtime(profile.ask_again_from), "j F Y"),
        )
    elif can_take_part:
        inner = format_html(
            '<a class="button button--small button--secondary" href="{}">Connect'
            '<span class="visually-hidden"> with {}</span></a>',
            fast_reverse("portal:connect", profile.public_id),
            name,
        )
    else:
        inner = mark_safe("")
    return format_html('<div class="connection-action">{}</div>', inner)


@register.simple_tag(takes_context=True)
def connection_action(context, profile, *, can_take_part: bool, next: str) -> SafeString:
    """The connection box of a profile page."""
    return _connection_action(
        profile,
        name=profile.user.get_full_name(),
        can_take_part=can_take_part,
        next_url=next,
        csrf=_csrf_input(context),
    )


def _tags(profile) -> SafeString:
    tags = profile.expertise_list[:TAGS_SHOWN]
    if not tags:
        return mark_safe("")
    return format_html(
        '<ul class="tag-list" aria-label="Areas of expertise">{}</ul>',
        format_html_join(
            "",
            '<li><a class="tag" href="?expertise={}">{}</a></li>',
            ((quote(tag.slug, safe="/"), tag.name) for tag in tags),
        ),
    )


def _card(profile, *, can_take_part: bool, next_url: str, csrf: SafeString) -> SafeString:
    name = profile.user.get_full_name()
    return format_html(
        '<li class="member-card">\n{}<div class="member-card__body">\n'
        '<h2 class="member-card__name"><a href="{}">{}</a></h2>\n'
        '<p class="member-card__meta">{}, {}</p>\n'
        '<p class="member-card__meta">{} · {}</p>\n{}</div>\n{}</li>',
        avatar(profile, "small", 128),
        fast_reverse("portal:member", profile.public_id),
        name or "Member",
        profile.job_title,
        profile.organisation,
        profile.sector_name,
        profile.country_name,
        _tags(profile),
        _connection_action(
            profile, name=name, can_take_part=can_take_part, next_url=next_url, csrf=csrf
        ),
    )


@register.simple_tag(takes_context=True)
def member_cards(context, profiles, *, can_take_part: bool, next: str) -> SafeString:
    """The directory's list of member cards."""
    csrf = _csrf_input(context)
    return format_html(
        '<ul class="member-list">\n{}\n</ul>',
        mark_safe(  # noqa: S308 - each card is built by format_html, which escapes its values
            "\n".join(
                _card(profile, can_take_part=can_take_part, next_url=next, csrf=csrf)
                for profile in profiles
            )
        ),
    )
