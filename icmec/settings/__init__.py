# The variables without which the production settings refuse to load (see production.py).
PRODUCTION_REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL")
