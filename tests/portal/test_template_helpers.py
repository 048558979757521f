"""The portal's template helpers write what the markup or the Django filters they replace
wrote, in every language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from portal.models import MemberProfile, Sector

# The include the `avatar` tag replaced, as it was.
FORMER_AVATAR_INCLUDE = (
    '{% load portal_tags %}{% if profile.photo_key %}<img class="avatar avatar--{{ size }}" '
    'src="{% row_url \'portal:photo\' profile.photo_key size_px %}" alt="" '
    "width=\"{% if size == 'large' %}160{% else %}56{% endif %}\" "
    'height="{% if size == \'large\' %}160{% else %}56{% endif %}" loading="lazy">'
    '{% else %}<span class="avatar avatar--{{ size }} avatar--initials" aria-hidden="true">'
    "{{ profile.user|initials }}</span>{% endif %}\n"
)


@pytest.mark.django_db
@pytest.mark.parametrize("photo_key", ["", "0f3a9b"])
@pytest.mark.parametrize(("size", "size_px"), [("small", 128), ("large", 400)])
def test_the_avatar_tag_writes_what_the_include_wrote(member, photo_key, size, size_px):
    profile = member.profile
    profile.photo_key = photo_key
    context = {"profile": profile, "size": size, "size_px": size_px}
    tag = Template("{% load portal_tags %}{% avatar profile size size_px %}")
    assert tag.render(Context(context)) == Template(FORMER_AVATAR_INCLUDE).render(Context(context))


@pytest.mark.parametrize("language", ["en-au", "de", "fr"])
def test_quick_timesince_is_what_the_timesince_filter_writes(language):
    template = Template(
        "{% load portal_tags %}{{ when|quick_timesince }}|{{ when|timesince }}|"
        "{{ none|quick_timesince }}"
    )
    now = timezone.now()
    deltas = [
        timedelta(0),
        timedelta(minutes=1),
        timedelta(minutes=41),
        timedelta(hours=1, minutes=5),
        timedelta(days=1),
        timedelta(days=9, hours=3),
        timedelta(days=40),
        timedelta(days=400),
        timedelta(days=-3),  # in the future: "0 minutes"
    ]
    with translation.override(language):
        for delta in deltas:
            quick, django_text, nothing = template.render(
                Context({"when": now - delta, "none": None})
            ).split("|")
            assert quick == django_text
            assert nothing == ""


@pytest.mark.parametrize("language", ["en-au", "de"])
def test_sector_names_are_djangos_display_in_each_language(language):
    with translation.override(language):
        for value, _label in Sector.choices:
            profile = MemberProfile(sector=value)
            assert profile.sector_name == profile.get_sector_display()
    assert MemberProfile(sector="no-such-sector").sector_name == "no-such-sector"
