"""Event hub tests run against a fresh sandbox with real WebSockets on loopback."""
from tests.support.eventhub import make_hub, sandbox  # noqa: F401  (fixtures)
