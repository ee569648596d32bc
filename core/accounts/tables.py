from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.db.routing import ROUTING_ENGINE
from core.organizations.tables import Organization

DISPLAY_NAME_LENGTH = 200  # a member's name: the members' form and the invitation refuse longer


class User(Table, db=ROUTING_ENGINE, tablename="crm_user"):
    id: Serial
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=DISPLAY_NAME_LENGTH, default="")
    password_hash = Varchar(length=200, default="")
    role = Varchar(length=32)
    locale = Varchar(length=8, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # The organization the member works for, set by a coordinator (core.accounts.service); where the
    # tenant declares ``confirmations = "organization_members"`` it decides which actions they confirm.
    organization = ForeignKey(references=Organization, null=True, on_delete=OnDelete.set_null)


class ApiToken(Table, db=ROUTING_ENGINE, tablename="crm_api_token"):
    """A member's API token; only its hash is stored. ``scope`` is "read" (safe methods only) or
    "write"; tokens issued before scopes existed keep full access ("write", the column default), so
    an upgrade breaks no integration. ``expires_at`` NULL means the token never expires."""

    id: Serial
    user = ForeignKey(references=User)
    token_hash = Varchar(length=64, unique=True)
    name = Varchar(length=100, default="")
    scope = Varchar(length=8, default="write")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class WebSession(Table, db=ROUTING_ENGINE, tablename="crm_session"):
    """A signed-in browser. Only the hash of the cookie's token is stored."""

    id: Serial
    user = ForeignKey(references=User, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()  # absolute end, however active the browser is
    last_seen_at = Timestamptz(default=TimestamptzNow())  # idle expiry counts from here
    csrf_secret = Varchar(length=64)


class AccountLink(Table, db=ROUTING_ENGINE, tablename="crm_account_link"):
    """A single-use link mailed to a member: an invitation (``purpose`` "invite") or a password
    reset ("reset"). Only the hash of the link's token is stored; ``used_at`` spends it."""

    id: Serial
    user = ForeignKey(references=User, index=True)
    purpose = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)


class ThrottleCounter(Table, db=ROUTING_ENGINE, tablename="crm_throttle"):
    """Attempts counted against one throttle key (core.accounts.throttle) in the window that closes
    at ``closes_at`` (Unix seconds). ``bucket`` is a keyed hash of the throttle, the kind of key and
    its value (an address, an account): no address or IP is stored in clear. Rows whose window has
    closed are pruned."""

    id: Serial
    bucket = Varchar(length=64, unique=True)
    hits = Integer(default=0)
    closes_at = BigInt(default=0, index=True)


def member_columns(user: ForeignKey) -> list:
    """The member fields a request needs, read through ``user`` (a foreign key to User) in the same
    query that checks a credential: the token and session lookups share them."""
    return [
        user.id.as_alias("id"),
        user.email.as_alias("email"),
        user.role.as_alias("role"),
        user.locale.as_alias("locale"),
        user.display_name.as_alias("display_name"),
        user.active.as_alias("active"),
    ]
