"""Every page, post and editable newsletter issue of the demo content can be saved, unchanged,
by staff in Wagtail's own edit views: nothing the demo holds breaks a block's limits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from newsletter.models import Issue
from portal.models import User
from tests.admin_forms import edit_form_data
from tests.factories.accounts import StaffFactory, login_staff

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media_root():
    """The module's media folder holds the demo images for every test (see `site`)."""


def _form_errors(response) -> str:
    """What the edit view said was wrong (for the assertion message)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.content, "html.parser")
    errors = [
        " ".join(element.get_text(" ").split())
        for element in soup.select(".error-message, .help-critical, .messages .error")
    ]
    return "; ".join(errors) or response.content.decode()[:500]


@pytest.fixture
def editor_client(client, demo_site):
    editor = User.objects.create_user(email="demo.editor@example.org", password="x" * 20)
    editor.groups.add(Group.objects.get(name="Editors"))
    login_staff(client, editor)
    return client


def test_an_editor_can_save_every_demo_page_and_post_unchanged(demo_site, editor_client):
    pages = [page.specific for page in Page.objects.filter(depth__gt=1).order_by("path")]
    kinds = {type(page).__name__ for page in pages}
    assert {"HomePage", "StandardPage", "BlogIndexPage", "BlogPostPage"} <= kinds
    for page in pages:
        url = f"/admin/pages/{page.pk}/edit/"
        form = editor_client.get(url)
        assert form.status_code == 200, url
        draft = page.get_latest_revision_as_object()
        data = edit_form_data(form.content.decode(), draft, form_id="page-edit-form")

        response = editor_client.post(url, data)

        assert response.status_code == 302, f"{page.title}: {_form_errors(response)}"
        assert response["Location"] == url
        followed = editor_client.get(url).content.decode()
        assert "could not be saved" not in followed, page.title
        assert "has been updated" in followed or "has been saved" in followed, page.title


def test_newsletter_staff_can_save_every_editable_demo_issue_unchanged(demo_site, client):
    issues = list(Issue.objects.filter(status__in=[Issue.Status.DRAFT, Issue.Status.SCHEDULED]))
    assert issues
    login_staff(
        client, StaffFactory(newsletter_editor=True, mfa=True, email="demo.newsletter@example.org")
    )
    for issue in issues:
        url = f"/admin/snippets/newsletter/issue/edit/{issue.pk}/"
        form = client.get(url)
        assert form.status_code == 200, url
        data = edit_form_data(form.content.decode(), issue, form_id="w-editor-form")

        response = client.post(url, data)

        assert response.status_code == 302, f"{issue.subject}: {_form_errors(response)}"
        assert "could not be saved" not in client.get(response["Location"]).content.decode()
