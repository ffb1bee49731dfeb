"""The event hub: :class:`EventHub`, :class:`Event`, subscription expressions, actions
and typed ``ftrack.update`` records.

    hub = session.event_hub                      # or EventHub(server_url, api_user, api_key)
    hub.connect()
    hub.subscribe("topic=ftrack.update", lambda event: print(event["data"]["entities"]))

The hub needs the ``wsproto`` package: ``pip install 'ftrack-orm[events]'``.
"""
from .errors import EventHubConnectionError, EventHubError
from .event import Event
from .expression import Expression, ExpressionError, parse_expression
from .hub import EventHub

__all__ = ["Event", "EventHub", "EventHubError", "EventHubConnectionError", "Expression", "ExpressionError",
           "parse_expression"]
