"""Staff publishing: Editors write and submit, Moderators approve and publish; scheduled
publishing and expiry run from the Celery beat task."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import Page, Revision
from wagtail.permissions import policy_registry

from blog import services, tasks
from blog.models import BlogPostPage, Category, SiteImage
from tests.factories.accounts import login_staff
from tests.factories.blog import BlogPostPageFactory, SiteImageFactory

pytestmark = pytest.mark.django_db


def test_editors_create_and_edit_but_cannot_publish(blog, make_post, editor, moderator):
    post = make_post()
    someone_elses_image = SiteImageFactory(uploaded_by_user=moderator)
    page_perms = post.permissions_for_user(editor)

    assert blog.permissions_for_user(editor).can_add_subpage()
    assert page_perms.can_edit()
    assert not page_perms.can_publish()
    assert not page_perms.can_unpublish()
    assert editor.has_perm("wagtailadmin.access_admin")
    assert editor.has_perm("blog.add_category")
    assert editor.has_perm("blog.change_author")
    assert not editor.has_perm("blog.delete_category")
    images = policy_registry.get_by_type(SiteImage)
    assert images.user_has_permission(editor, "add")
    assert images.user_has_permission(editor, "choose")
    own_image = SiteImageFactory(uploaded_by_user=editor)
    assert images.user_has_permission_for_instance(editor, "change", own_image)
    assert not images.user_has_permission_for_instance(editor, "change", someone_elses_image)
    assert not images.user_has_permission_for_instance(editor, "delete", someone_elses_image)


def test_moderators_publish_and_unpublish(blog, make_post, editor, moderator):
    post = make_post()
    someone_elses_image = SiteImageFactory(uploaded_by_user=editor)
    page_perms = post.permissions_for_user(moderator)

    assert page_perms.can_publish()
    assert page_perms.can_unpublish()
    assert page_perms.can_lock()
    assert moderator.has_perm("blog.delete_category")
    assert moderator.has_perm("blog.change_socialmediasettings")
    images = policy_registry.get_by_type(SiteImage)
    assert images.user_has_permission_for_instance(moderator, "delete", someone_elses_image)


def test_the_blog_and_every_page_go_through_moderators_approval(home, blog, make_post):
    post = make_post()

    for page in (home, blog, post):
        workflow = page.get_workflow()
        assert workflow is not None
        assert workflow.active
        assert workflow.name == "Moderators approval"
    task = post.get_workflow().tasks.get().specific
    assert [group.name for group in task.groups.all()] == ["Moderators"]


def test_an_editors_submission_goes_live_when_a_moderator_approves(client, blog, editor, moderator):
    draft = BlogPostPageFactory.build(title="Written by an editor", slug="by-an-editor")
    draft.live = False
    blog.add_child(instance=draft)
    draft.save_revision(user=editor)

    workflow_state = draft.get_workflow().start(draft, editor)
    task_state = workflow_state.current_task_state
    task = task_state.task.specific

    assert [name for name, *_ in task.get_actions(draft, editor)] == []
    assert "approve" in [name for name, *_ in task.get_actions(draft, moderator)]
    assert client.get("/blog/by-an-editor/").status_code == 404

    task.on_action(task_state, moderator, "approve")

    draft.refresh_from_db()
    assert draft.live
    assert "Written by an editor" in client.get("/").content.decode()
    assert client.get("/blog/by-an-editor/").status_code == 200


def test_a_scheduled_post_goes_live_when_publish_scheduled_runs(client, blog, make_post):
    make_post(title="Already live")
    post = BlogPostPageFactory.build(title="Scheduled post", slug="scheduled-post")
    post.live = False
    blog.add_child(instance=post)
    go_live = timezone.now() + datetime.timedelta(minutes=30)
    post.go_live_at = go_live
    post.save_revision(approved_go_live_at=go_live)

    assert "Scheduled post" not in client.get("/").content.decode()  # fills the caches
    tasks.publish_scheduled.delay()  # not due yet
    assert not BlogPostPage.objects.get(pk=post.pk).live

    # Half an hour later (moved back in time rather than waiting):
    revision = Revision.objects.get(object_id=str(post.pk), approved_go_live_at__isnull=False)
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = revision.approved_go_live_at.isoformat()
    revision.save()
    tasks.publish_scheduled.delay()

    post.refresh_from_db()
    assert post.live
    assert "Scheduled post" in client.get("/").content.decode()
    assert client.get("/blog/scheduled-post/").status_code == 200
    revisions = Revision.objects.filter(object_id=str(post.pk)).count()

    tasks.publish_scheduled.delay()  # running again changes nothing

    assert Revision.objects.filter(object_id=str(post.pk)).count() == revisions
    assert BlogPostPage.objects.get(pk=post.pk).live


def test_an_expired_post_is_unpublished(client, make_post):
    post = make_post(title="Expiring post")
    client.get("/")
    Page.objects.filter(pk=post.pk).update(expire_at=timezone.now() - datetime.timedelta(hours=1))

    tasks.publish_scheduled.delay()

    post.refresh_from_db()
    assert not post.live
    assert post.expired
    assert "Expiring post" not in client.get("/").content.decode()


def test_only_one_scheduled_publishing_run_at_a_time(blog):
    post = BlogPostPageFactory.build(title="Due post", slug="due-post")
    post.live = False
    blog.add_child(instance=post)
    past = timezone.now() - datetime.timedelta(minutes=1)
    post.go_live_at = past
    post.save_revision(approved_go_live_at=past)
    settings_dict = connection.settings_dict
    other = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [services.SCHEDULED_PUBLISHING_LOCK])

        assert services.scheduled_pages_publish() is False
        assert not BlogPostPage.objects.get(pk=post.pk).live
        other.execute("SELECT pg_advisory_unlock(%s)", [services.SCHEDULED_PUBLISHING_LOCK])
    finally:
        other.close()

    assert services.scheduled_pages_publish() is True
    assert BlogPostPage.objects.get(pk=post.pk).live


def test_changing_a_category_refreshes_cached_pages(client, make_post, category):
    make_post(title="Categorised", categories=[category])
    assert "Research and insights" in client.get("/blog/").content.decode()

    Category.objects.filter(pk=category.pk).update(name="Renamed")
    category.refresh_from_db()
    category.save()

    assert "Renamed" in client.get("/blog/").content.decode()


def test_the_admin_screens_for_every_page_type_open(client, home, blog, make_post, moderator):

    login_staff(client, moderator)  # staff need a second factor before the admin opens
    post = make_post()

    for url in [
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/pages/{blog.pk}/edit/",
        f"/admin/pages/{post.pk}/edit/",
        f"/admin/pages/add/blog/blogpostpage/{blog.pk}/",
        f"/admin/pages/add/blog/standardpage/{home.pk}/",
        f"/admin/pages/{post.pk}/privacy/",
        "/admin/snippets/blog/category/",
        "/admin/snippets/blog/author/",
    ]:
        assert client.get(url).status_code == 200, url
