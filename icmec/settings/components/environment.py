"""Where the site runs: the environment reader, its folders, secrets, hosts and public address.

Every other settings module reads its environment variables through `env`.
"""

from pathlib import Path

import environ

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent.parent
# What `make run` keeps between runs (the embedded database, the broker's files, beat's
# schedule, private media), git-ignored.
DATA_DIR = Path(env.str("ICMEC_DATA_DIR", default=str(BASE_DIR / ".data")))

# Secrets and hosts. Each environment module decides what to do when they are missing.
SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies and load balancers in front of the site (addresses or CIDR ranges): their
# X-Forwarded-For is believed, so that rate limits count each client (icmec.clientip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# The public address of the site, used in emails, feeds and canonical URLs outside a request.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# The organisation, shown in footers and email footers (a legal requirement for newsletters).
ORGANISATION_NAME = "International Centre for Missing & Exploited Children Australia"
ORGANISATION_POSTAL_ADDRESS = env.str(
    "ORGANISATION_POSTAL_ADDRESS", default="PO Box 0000, Sydney NSW 2001, Australia"
)
