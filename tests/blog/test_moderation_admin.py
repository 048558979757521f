"""The admin's moderation and page creation as staff use them: the messages after a
moderator's decision, and a new post whose title is taken by an autosaved draft."""

from __future__ import annotations

import html

import pytest
from django.contrib.messages import get_messages
from django.utils.html import strip_tags

from blog.models import BlogPostPage
from tests.admin_forms import edit_form_data
from tests.factories.accounts import login_staff
from tests.factories.blog import BlogPostPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_post(blog, editor):
    draft = BlogPostPageFactory.build(title="Written by an editor", slug="by-an-editor")
    draft.live = False
    blog.add_child(instance=draft)
    draft.save_revision(user=editor)
    draft.get_workflow().start(draft, editor)
    return draft


def _workflow_action(client, page, action: str, **fields: str):
    url = f"/admin/pages/{page.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200
    data = edit_form_data(
        form.content.decode(), page.get_latest_revision_as_object(), form_id="page-edit-form"
    )
    data["action-workflow-action"] = "true"
    data["workflow-action-name"] = action
    data.update(fields)
    return client.post(url, data)


def _messages_of(response) -> list[str]:
    """The messages a response leaves for the next page, as text."""
    return [
        " ".join(strip_tags(html.unescape(str(message.message))).split())
        for message in get_messages(response.wsgi_request)
    ]


def _messages_shown_next(client, response) -> list[str]:
    """The messages the page the admin redirects to shows, as text."""
    return _messages_of(client.get(response["Location"]))


def test_approve_and_publish_says_the_page_was_approved_and_published(
    client, submitted_post, moderator
):
    login_staff(client, moderator)

    response = _workflow_action(client, submitted_post, "approve")

    assert response.status_code == 302
    submitted_post.refresh_from_db()
    assert submitted_post.live
    said = _messages_shown_next(client, response)
    assert said == ["Page 'Written by an editor' has been approved and published. View live"]


def test_approving_a_scheduled_post_says_it_will_go_live_as_scheduled(
    client, submitted_post, moderator
):
    login_staff(client, moderator)

    response = _workflow_action(client, submitted_post, "approve", go_live_at="2099-06-01 09:00")

    assert response.status_code == 302
    submitted_post.refresh_from_db()
    assert not submitted_post.live
    assert submitted_post.go_live_at.year == 2099
    assert _messages_shown_next(client, response) == [
        "Page 'Written by an editor' has been approved; it will go live as scheduled."
    ]


def test_request_changes_says_changes_were_requested(client, submitted_post, moderator):
    login_staff(client, moderator)

    response = _workflow_action(client, submitted_post, "reject")

    assert response.status_code == 302
    submitted_post.refresh_from_db()
    assert not submitted_post.live
    said = _messages_shown_next(client, response)
    assert said == ["Changes to page 'Written by an editor' have been requested."], said


def _add_post(client, blog, *, title: str, slug: str, **headers):
    url = f"/admin/pages/add/blog/blogpostpage/{blog.pk}/"
    form = client.get(url)
    assert form.status_code == 200
    data = edit_form_data(form.content.decode(), BlogPostPage(), form_id="page-edit-form")
    # What a half-filled post holds when it is saved (or autosaved) as a draft.
    data.update(title=title, slug=slug, summary="Half written.", date_published="2024-05-01")
    return client.post(url, data, headers=headers)


def test_a_new_post_whose_slug_a_draft_holds_gets_a_free_one(client, blog, editor):
    login_staff(client, editor)
    # The admin's autosave: a background request, answered in JSON.
    first = _add_post(
        client, blog, title="Our annual report", slug="our-annual-report", accept="application/json"
    )
    assert first.status_code == 200
    assert first.json()["success"] is True
    draft = BlogPostPage.objects.get(slug="our-annual-report")
    assert not draft.live

    second = _add_post(client, blog, title="Our annual report", slug="our-annual-report")
    third = _add_post(
        client, blog, title="Our annual report", slug="our-annual-report", accept="application/json"
    )

    assert second.status_code == 302
    assert _messages_of(second) == [
        "Page 'Our annual report' created.",
        "Another page here already has the slug 'our-annual-report', so this one got "
        "'our-annual-report-2' (it can be changed in the Promote tab).",
    ]
    # An autosave writes the free slug back into the open form.
    assert third.json()["field_updates"]["slug"] == "our-annual-report-3"
    slugs = sorted(
        BlogPostPage.objects.filter(title="Our annual report").values_list("slug", flat=True)
    )
    assert slugs == ["our-annual-report", "our-annual-report-2", "our-annual-report-3"]
    newest = BlogPostPage.objects.get(slug="our-annual-report-3")
    assert third.json()["url"] == f"/admin/pages/{newest.pk}/edit/"


def test_an_existing_page_keeps_its_slug_check(client, blog, editor, make_post):
    make_post(title="Taken", slug="taken")
    other = make_post(title="Other", slug="other")
    login_staff(client, editor)
    url = f"/admin/pages/{other.pk}/edit/"
    form = client.get(url)
    data = edit_form_data(
        form.content.decode(), other.get_latest_revision_as_object(), form_id="page-edit-form"
    )
    data["slug"] = "taken"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The slug &#x27;taken&#x27; is already in use" in response.content.decode()
    other.refresh_from_db()
    assert other.slug == "other"
