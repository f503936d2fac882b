"""The whole schema: importing this module registers every model on ``Base.metadata``.

Alembic's autogenerate and the tests read ``metadata`` from here, so a model module that is
not imported here is invisible to migrations. Add new model modules below.
"""

from storage import (
    access_models,  # noqa: F401
    action_models,  # noqa: F401
    alert_link_models,  # noqa: F401
    alert_models,  # noqa: F401
    curation,  # noqa: F401
    identity_models,  # noqa: F401
    models,  # noqa: F401
    oauth_models,  # noqa: F401
    postmortems,  # noqa: F401
    running_models,  # noqa: F401
    ticket_models,  # noqa: F401
)
from storage.models import Base

metadata = Base.metadata
