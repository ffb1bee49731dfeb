"""The sandbox's event hub (:mod:`.hub`) and the ``ftrack.update`` events of its commits (:mod:`.changes`)."""
