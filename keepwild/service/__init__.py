"""Service stage: keepwild as a platform runs it, an HTTP API over a database with a review
queue, reports, users and roles, an audit trail and action webhooks.

>>> from keepwild.service import Settings, create_app          # doctest: +SKIP
>>> app = create_app(Settings(database_url="sqlite:///keepwild.db"))
"""

from keepwild.service.app import create_app
from keepwild.service.settings import Settings

__all__ = ["create_app", "Settings"]
