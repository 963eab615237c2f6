"""All configuration, read from the environment in one place (see docs/configuration.md)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

env = environ.Env()
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

DEBUG = env.bool("DIGIGOV_DEBUG", default=False)
SECRET_KEY = env.str("DIGIGOV_SECRET_KEY", default="insecure-dev-key-change-me-in-production-0000")
ALLOWED_HOSTS = env.list("DIGIGOV_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
VAR_DIR = Path(env.str("DIGIGOV_VAR_DIR", default=str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and media live here

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'digigov.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work at once; busy timeout avoids spurious locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reusing connections saves more per request than most of a request's own work costs.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DIGIGOV_DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's backend with a health check that polls the socket instead of a SELECT 1 per
    # request (kernel.database).
    DATABASES["default"]["ENGINE"] = "digigov.kernel.database"
    # kernel.prepared binds its fixed hot-path statements on the server; psycopg prepares
    # each once a connection has run it this many times ("off": never, e.g. behind a
    # PgBouncer older than 1.21 in transaction mode). The ORM binds on the client as usual.
    _threshold = env.str("DIGIGOV_DB_PREPARE_THRESHOLD", default="2")
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "prepare_threshold", None if _threshold == "off" else int(_threshold)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "axes",
    "ninja",  # so /api/v1/docs serves Swagger UI from local static files, not a CDN
    # kernel
    "digigov.kernel.regions",
    "digigov.kernel.organizations",
    "digigov.kernel.audit",
    "digigov.kernel.crypto",
    "digigov.kernel.events",
    "digigov.kernel.api",
    "digigov.kernel.ops",
    "digigov.kernel.workdays",
    # data
    "digigov.data.registries",
    "digigov.data.catalog",
    "digigov.data.sharing",
    "digigov.data.quality",
    "digigov.data.opendata",
    # support
    "digigov.support.identity",
    "digigov.support.licenses",
    "digigov.support.seals",
    # apps
    "digigov.apps.services",
    "digigov.apps.cityevents",
    "digigov.apps.sensors",
    "digigov.apps.governance",
    # portals
    "digigov.portals.web",
    "digigov.portals.citizen",
    "digigov.portals.business",
    "digigov.portals.kiosk",
    "digigov.portals.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "digigov.support.identity.sessions.IdleTimeoutSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "digigov.urls"
WSGI_APPLICATION = "digigov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "identity.Account"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sessions sign in through this one (support/identity/backends.py); sessions signed in
    # through ModelBackend before it existed stay valid.
    "digigov.support.identity.backends.AccountBackend",
]
# Argon2id first, with OWASP's parameters (see identity.hashers for the measurements).
# DIGIGOV_PASSWORD_HASHER=pbkdf2 makes Django's PBKDF2 the default (benchmark baseline);
# both stay listed so that hashes of either kind verify (and upgrade on the next login).
_HASHERS = {
    "argon2": "digigov.support.identity.hashers.OwaspArgon2PasswordHasher",
    "pbkdf2": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
}
_PREFERRED_HASHER = env.str("DIGIGOV_PASSWORD_HASHER", default="argon2")
PASSWORD_HASHERS = [_HASHERS[_PREFERRED_HASHER]] + [
    path for name, path in _HASHERS.items() if name != _PREFERRED_HASHER
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "/"

SESSION_COOKIE_AGE = env.int("DIGIGOV_SESSION_SECONDS", default=30 * 60)
# Idle timeout: activity extends the session, rewriting its row at most once a minute
# (support/identity/sessions.py).
SESSION_ENGINE = "digigov.support.identity.sessions"
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Login throttling (django-axes): lock an account+address after repeated failures.
AXES_FAILURE_LIMIT = env.int("DIGIGOV_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("DIGIGOV_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_LOCKOUT_TEMPLATE = "identity/lockout.html"  # Chinese page, HTTP 429
# The audit chain records every login, failure, lockout and logout (identity.receivers);
# axes' own access log would be a second, unchained copy costing a write per login.
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_FORM_FIELD = "username"
# Staff must complete a TOTP step within this many seconds of the password step.
DIGIGOV_OTP_PENDING_SECONDS = env.int("DIGIGOV_OTP_PENDING_SECONDS", default=300)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(
    exist_ok=True
)  # WhiteNoise expects it; files come via the finders until collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]  # site-wide assets (site.css) beside templates/
MEDIA_ROOT = VAR_DIR / "media"  # outside the web root; never served directly
# Uploaded application materials (办件材料): stored by SHA-256, served only as attachments
# through permission-checked views.
DIGIGOV_UPLOAD_ROOT = Path(env.str("DIGIGOV_UPLOAD_ROOT", default=str(VAR_DIR / "uploads")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Crypto: the provider that signs, hashes and encrypts by default (sm or ed25519).
DIGIGOV_CRYPTO_DEFAULT_SIGNING = env.str("DIGIGOV_CRYPTO_SIGNING", default="sm2")
# Master key (hex, 16 bytes) that wraps stored private keys and data keys with SM4.
DIGIGOV_MASTER_KEY = env.str("DIGIGOV_MASTER_KEY", default="00112233445566778899aabbccddeeff")

# OpenID Connect provider (django-oauth-toolkit).
OIDC_ISSUER = env.str("DIGIGOV_OIDC_ISSUER", default="")
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": {
        "openid": "OpenID Connect 身份",
        "profile": "基本资料",
        "realname": "实名等级",
        "registry:read": "查询基础库",
        "registry:write": "导入基础库",
        "audit:read": "查看审计日志",
        "registry:pii": "查看基础库中的完整个人信息",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "digigov.support.identity.oidc.DigigovOAuth2Validator",
    # The RSA keys come from the identity key store (OidcSigningKey), read lazily and cached
    # by identity.oidc.keyring; these two placeholders are shadowed there, never used.
    "OIDC_RSA_PRIVATE_KEY": "",
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only: "plain" PKCE is refused
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
}
if OIDC_ISSUER:
    OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] = OIDC_ISSUER
# Seconds a retired OIDC signing key stays in the JWKS (so tokens it signed still verify).
DIGIGOV_OIDC_RETIRED_KEY_SECONDS = env.int("DIGIGOV_OIDC_RETIRED_KEY_SECONDS", default=7 * 86400)
# Seconds a web process trusts its cached copy of the signing keys (rotation reaches every
# process within this time; the rotating process sees it at once).
DIGIGOV_OIDC_KEY_CACHE_SECONDS = env.int("DIGIGOV_OIDC_KEY_CACHE_SECONDS", default=30)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DIGIGOV_LOG_LEVEL", default="WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 100
DIGIGOV_EVENTS_INLINE = env.bool("DIGIGOV_EVENTS_INLINE", default=True)
# Public license verification (page and API): checks per minute per caller (network address,
# or API client); counted in the cache (per process unless a shared cache is configured).
DIGIGOV_VERIFY_RATE_PER_MINUTE = env.int("DIGIGOV_VERIFY_RATE_PER_MINUTE", default=120)
# Exchange API (/api/v1/exchange): calls per minute per machine client, counted in the cache
# like the above; 0 turns the limit off.
DIGIGOV_EXCHANGE_RATE_PER_MINUTE = env.int("DIGIGOV_EXCHANGE_RATE_PER_MINUTE", default=600)
# Public sealed-PDF verification and the time-stamping service (/api/v1/seals/verify, /tsa):
# calls per minute per caller and service; 0 turns the limit off.
DIGIGOV_SEALS_PUBLIC_RATE_PER_MINUTE = env.int("DIGIGOV_SEALS_PUBLIC_RATE_PER_MINUTE", default=60)
# The public base URL of this node (no trailing slash): ids in Verifiable Credentials, status
# list URLs and verification links are built from it, so it must be what outsiders reach.
# The MQTT broker the sensor ingest worker subscribes to (digigov sensors_ingest).
DIGIGOV_MQTT_HOST = env.str("DIGIGOV_MQTT_HOST", default="127.0.0.1")
DIGIGOV_MQTT_PORT = env.int("DIGIGOV_MQTT_PORT", default=1883)

DIGIGOV_PUBLIC_URL = env.str("DIGIGOV_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
