"""Settings shared by every environment, gathered from one module per integration.

Every integration is switched on by an environment variable read in its module (see the README's
configuration table). `dev` and `test` add embedded defaults; `production` insists on the real
services and refuses to start without them. Each setting is declared once, in one module, and
never changed afterwards by another; a module that needs another's value imports it by name.

| module in `components/` | holds |
|---|---|
| `environment` | `env`, the folders, secrets and hosts, `SITE_URL`, the organisation's address |
| `django` | `INSTALLED_APPS`, `MIDDLEWARE`, `TEMPLATES`, language and time zone, `LOGGING` |
| `database` | `DATABASES` (PostgreSQL from `DATABASE_URL`) |
| `caches` | `CACHES`, the site's own caches' switch and timeouts, Cache-Control, frontend purges |
| `storage` | static files, media, members' photos, object storage (`STORAGES`, `MEDIA_HOSTS`) |
| `allauth` | Django's auth, allauth's accounts, two-factor authentication, sessions |
| `wagtail` | Wagtail's admin, search, images, documents, embeds |
| `mail` | email: console, SMTP (`EMAIL_URL`) or an email API (`ANYMAIL_*`) |
| `celery` | the broker, task limits, beat's schedule (one dict, every app's periodic tasks) |
| `security` | security headers and cookies, the Content Security Policies, Permissions-Policy |
| `public_site`, `portal`, `newsletter` | each app's own settings (`PORTAL_*`, `NEWSLETTER_*`...) |
"""

from icmec.settings.components.allauth import *  # noqa: F403
from icmec.settings.components.caches import *  # noqa: F403
from icmec.settings.components.celery import *  # noqa: F403
from icmec.settings.components.database import *  # noqa: F403
from icmec.settings.components.django import *  # noqa: F403
from icmec.settings.components.environment import *  # noqa: F403
from icmec.settings.components.mail import *  # noqa: F403
from icmec.settings.components.newsletter import *  # noqa: F403
from icmec.settings.components.portal import *  # noqa: F403
from icmec.settings.components.public_site import *  # noqa: F403
from icmec.settings.components.security import *  # noqa: F403
from icmec.settings.components.storage import *  # noqa: F403
from icmec.settings.components.wagtail import *  # noqa: F403
