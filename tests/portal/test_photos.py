"""Profile photos: validated, re-encoded without metadata, stored privately, members only."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal import services
from tests.factories.portal import ApplicantFactory

pytestmark = pytest.mark.django_db


def _image(fmt="JPEG", size=(600, 400), exif=True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        data[0x8825] = {2: (33.0, 52.0, 0.0)}  # GPS latitude
        kwargs["exif"] = data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header that declares `width`×`height` pixels, with almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def _animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (400, 400), (n * 60, 0, 0)) for n in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">'
    b"<script>alert(1)</script></svg>"
)


def _upload(data: bytes, name="me.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _edit(client, **extra):
    data = {
        "first_name": "Amelia",
        "last_name": "Chen",
        "organisation": "Harbour Bank",
        "job_title": "Analyst",
        "sector": "financial_services",
        "country": "AU",
        "contact_visibility": "members",
    }
    return client.post("/portal/profile/edit/", data | extra)


def test_an_upload_is_cropped_re_encoded_and_stripped_of_metadata(member_client, member):
    original = _image()
    assert b"SecretCamera" in original

    response = _edit(member_client, photo=_upload(original))

    assert response.status_code == 302
    member.profile.refresh_from_db()
    key = member.profile.photo_key
    assert key
    storage = storages["member_photos"]
    for size in (400, 128):
        data = storage.open(f"{key}-{size}.jpg").read()
        assert b"SecretCamera" not in data
        with Image.open(io.BytesIO(data)) as stored:
            assert stored.format == "JPEG"
            assert stored.size == (size, size)
            assert not stored.getexif()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not an image", "cv.jpg", "not an image we can read"),
        (b"GIF89a" + _image("GIF", exif=False)[6:], "anim.gif", "JPEG, PNG or WebP"),
        (_image(size=(120, 120)), "tiny.jpg", "at least 200 pixels"),
        (SVG, "me.svg", "not an image we can read"),
        (SVG, "me.jpg", "not an image we can read"),
        (_png_declaring(50_000, 50_000), "bomb.png", "too large to process"),
        (_png_declaring(8_000, 8_000), "huge.png", "at most 40 megapixels"),
        (_png_declaring(9_000, 300), "wide.png", "at most 8000 pixels wide"),
        (_png_declaring(2_000, 2_000), "empty.png", "not an image we can read"),
        (_image(size=(800, 800))[:3000], "truncated.jpg", "not an image we can read"),
        (_animation("PNG"), "animated.png", "is an animation"),
        (_animation("WEBP"), "animated.webp", "is an animation"),
        (_animation("GIF"), "animated.gif", "JPEG, PNG or WebP"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value else "upload",
)
def test_bad_uploads_are_refused_with_a_clear_message(member_client, member, data, name, message):
    response = _edit(member_client, photo=_upload(data, name=name))

    assert response.status_code == 200
    assert message in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.photo_key == ""


def test_oversized_uploads_are_refused(member_client, member, settings):
    settings.PORTAL_PHOTO_MAX_BYTES = 1000

    response = _edit(member_client, photo=_upload(_image()))

    assert "Please choose one smaller than" in response.content.decode()


def test_photos_are_served_to_members_only(client, member, peer):
    services.profile_photo_set(profile=member.profile, upload=_upload(_image()))
    url = f"/portal/photos/{member.profile.photo_key}-128.jpg"

    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(ApplicantFactory(email="applicant@example.org"))
    assert client.get(url).status_code == 403
    client.force_login(peer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert client.get(f"/portal/photos/{member.profile.photo_key}-999.jpg").status_code == 404


def test_photos_are_not_in_the_public_media_or_image_library(member, settings):
    from wagtail.images import get_image_model

    services.profile_photo_set(profile=member.profile, upload=_upload(_image()))

    assert get_image_model().objects.count() == 0
    location = storages["member_photos"].location
    assert not location.startswith(str(settings.MEDIA_ROOT))


def test_replacing_or_removing_a_photo_deletes_the_old_files(
    member_client, member, django_capture_on_commit_callbacks
):
    storage = storages["member_photos"]
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_photo_set(profile=member.profile, upload=_upload(_image()))
    first = member.profile.photo_key
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_photo_set(profile=member.profile, upload=_upload(_image()))
    assert not storage.exists(f"{first}-400.jpg")

    second = member.profile.photo_key
    with django_capture_on_commit_callbacks(execute=True):
        _edit(member_client, remove_photo="on")
    member.profile.refresh_from_db()
    assert member.profile.photo_key == ""
    assert not storage.exists(f"{second}-128.jpg")
