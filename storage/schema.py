"""The whole schema: importing this module registers every model on ``Base.metadata``.

Alembic's autogenerate and the tests read ``metadata`` from here, so a model module that is
not imported here is invisible to migrations. Add new model modules below.
"""

from storage import models  # noqa: F401
from storage import action_models  # noqa: F401
from storage import oauth_models  # noqa: F401
from storage import postmortems  # noqa: F401
from storage.models import Base

metadata = Base.metadata
