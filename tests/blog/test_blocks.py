"""Where a button or an image may link to: a page, a path on this site or a web address."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError

from blog.blocks import CallToActionBlock
from newsletter.blocks import ButtonBlock, EmailImageBlock


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/signup/",
        "/about/#team",
        "/search/?q=grooming",
        "https://www.esafety.gov.au/report",
        "http://example.org/",
        "mailto:contact@example.org",
    ],
)
def test_a_button_links_to_a_path_of_this_site_or_a_web_address(url):
    for block in (CallToActionBlock(), ButtonBlock()):
        value = block.clean(block.to_python({"text": "Go", "page": None, "url": url}))
        assert value["url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "//other.example/",
        "accounts/signup/",
        "/two words/",
        "/back\\slash/",
        "ftp://example.org/file",
        "https://",
        "mailto:not an address",
    ],
)
def test_anything_else_is_refused_with_a_message_next_to_the_field(url):
    for block in (CallToActionBlock(), ButtonBlock()):
        with pytest.raises(StructBlockValidationError) as raised:
            block.clean(block.to_python({"text": "Go", "page": None, "url": url}))
        assert "url" in raised.value.block_errors
    image = EmailImageBlock()
    with pytest.raises((StructBlockValidationError, ValidationError)) as raised:
        image.child_blocks["link"].clean(url)


@pytest.mark.django_db
def test_a_path_renders_as_it_is_on_the_site_and_in_full_in_an_email():
    from newsletter import rendering
    from tests.factories.newsletter import IssueFactory

    block = CallToActionBlock()
    html = block.render(block.to_python({"text": "Join", "page": None, "url": "/accounts/signup/"}))
    assert 'href="/accounts/signup/"' in html

    issue = IssueFactory(
        body=[{"type": "button", "value": {"text": "Join", "page": None, "url": "/portal/"}}]
    )
    [item] = rendering.issue_items(issue)
    assert item["url"] == "http://testserver/portal/"
