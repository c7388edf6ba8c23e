"""One registration per layer kind, grouped like the layer classes (see :mod:`..registry`)."""
