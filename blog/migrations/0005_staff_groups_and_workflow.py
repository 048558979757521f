"""Editors and Moderators, and the moderation workflow that connects them.

- Editors: enter the admin, create and edit pages under the home page (posts included), submit
  them for moderation, upload and choose images and documents, add and edit authors and
  categories. They cannot publish.
- Moderators: everything Editors do, plus publish, unpublish, lock and unlock pages, delete images,
  documents, authors and categories, and edit the social media settings.
- The "Moderators approval" workflow (one task: the Moderators group approves) applies to the
  home page and every page under it, the blog included.

Wagtail's own migrations create both groups with permissions on the tree's root; this moves the
page permissions to the home page and completes the rest. It can run again safely.
"""

from django.db import migrations

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "choose_image"],
    ("wagtaildocs", "document"): ["add_document", "change_document", "choose_document"],
}
MODERATOR_COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "choose_image", "delete_image"],
    ("wagtaildocs", "document"): [
        "add_document",
        "change_document",
        "choose_document",
        "delete_document",
    ],
}
EDITOR_MODEL_PERMISSIONS = {
    ("wagtailadmin", "admin"): ["access_admin"],
    ("blog", "author"): ["add_author", "change_author", "view_author"],
    ("blog", "category"): ["add_category", "change_category", "view_category"],
}
MODERATOR_MODEL_PERMISSIONS = {
    ("wagtailadmin", "admin"): ["access_admin"],
    ("blog", "author"): ["add_author", "change_author", "delete_author", "view_author"],
    ("blog", "category"): ["add_category", "change_category", "delete_category", "view_category"],
    ("blog", "socialmediasettings"): ["change_socialmediasettings", "view_socialmediasettings"],
}
WORKFLOW_NAME = "Moderators approval"


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return permission


def _grant(apps, group, page, collection, page_perms, collection_perms, model_perms):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    GroupPagePermission.objects.filter(group=group).exclude(page=page).delete()
    for codename in page_perms:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=page,
            permission=_permission(apps, "wagtailcore", "page", codename),
        )
    for (app_label, model), codenames in collection_perms.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=_permission(apps, app_label, model, codename),
            )
    for (app_label, model), codenames in model_perms.items():
        for codename in codenames:
            group.permissions.add(_permission(apps, app_label, model, codename))


def _workflow(apps, moderators, home):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=WORKFLOW_NAME, content_type=task_type, active=True
        )
    task.active = True
    task.save()
    task.groups.set([moderators])

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    workflow.active = True
    workflow.save()
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(
            workflow=workflow, task=task, sort_order=WorkflowTask.objects.filter(
                workflow=workflow
            ).count()
        )
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})


def set_up_staff(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    HomePage = apps.get_model("blog", "HomePage")
    Page = apps.get_model("wagtailcore", "Page")

    home_page = HomePage.objects.order_by("path").first()
    collection = Collection.objects.filter(depth=1).first()
    if home_page is None or collection is None:
        return
    home = Page.objects.get(pk=home_page.pk)
    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    _grant(
        apps,
        editors,
        home,
        collection,
        EDITOR_PAGE_PERMISSIONS,
        EDITOR_COLLECTION_PERMISSIONS,
        EDITOR_MODEL_PERMISSIONS,
    )
    _grant(
        apps,
        moderators,
        home,
        collection,
        MODERATOR_PAGE_PERMISSIONS,
        MODERATOR_COLLECTION_PERMISSIONS,
        MODERATOR_MODEL_PERMISSIONS,
    )
    # Wagtail's first migration gave Editors model-level delete rights on images and documents;
    # deleting them is the Moderators' call.
    for app_label, model, codename in (
        ("wagtailimages", "image", "delete_image"),
        ("wagtaildocs", "document", "delete_document"),
    ):
        editors.permissions.remove(_permission(apps, app_label, model, codename))
    _workflow(apps, moderators, home)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_home_page"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(set_up_staff, migrations.RunPython.noop)]
