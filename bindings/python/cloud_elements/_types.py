"""The typed dicts that results are made of; the native module imports and re-exports them.
Import them from ``cloud_elements``."""

from typing import TYPE_CHECKING, Any, Dict, List, TypedDict, Union

if TYPE_CHECKING:
    from ._native import Secret

__all__ = ["Authentication", "ConfigurationEntry", "Element", "SchemaEntry"]


class ConfigurationEntry(TypedDict):
    """One configuration entry of an instance (``Client.instance_configuration``).

    ``id``: the entry's id within the platform; ``key``: the configuration key; ``property_value``:
    the value as the server sent it, a ``Secret`` when the entry is a secret (a ``PASSWORD`` in the
    element's schema, or a key or name that says password, secret, token, key or code) and a plain
    ``str`` otherwise; ``extra``: the fields the client does not model, as received.
    """

    id: int
    key: str
    property_value: Union[str, "Secret"]
    extra: Dict[str, Any]


class _SchemaEntryKey(TypedDict):
    key: str


class SchemaEntry(_SchemaEntryKey, total=False):
    """One entry of an element's configuration schema (``Client.element_configuration``), with
    the platform's own keys. ``key`` is always there; ``required``, ``hideFromConsole`` and
    ``internal`` are always there too (``False`` when the platform leaves them out); the others
    only when the platform gives them. Fields the client does not model are kept, as received
    (hence the ``Any`` values a type checker cannot name)."""

    id: int
    name: str
    type: str
    """``TEXTFIELD_32``/``64``/``128``/``1000``, ``PASSWORD``, ``BOOLEAN``, ``TEXTAREA``..."""
    required: bool
    defaultValue: str
    """The value the platform uses when none is given (numbers and booleans as their text)."""
    hideFromConsole: bool
    internal: bool
    displayOrder: int
    allowEmpty: bool
    """Not a platform field: a required entry whose empty value the provider accepts (built-in
    definitions only)."""
    description: str


class Authentication(TypedDict, total=False):
    """An element's ``authentication`` object: ``type`` is ``basic``, ``apiKey``, ``oauth2``,
    ``oauth1``, ``custom``..."""

    type: str


class _ElementKey(TypedDict):
    key: str
    name: str
    typeOauth: bool
    configuration: List[SchemaEntry]


class Element(_ElementKey, total=False):
    """An element's definition (``Client.element``), with the platform's own keys: ``key``,
    ``name``, ``typeOauth`` and ``configuration`` (its schema, possibly ``[]`` when the platform
    leaves it out: ``Client.element_configuration`` reads it then) are always there; ``id``,
    ``hub`` and ``authentication`` when the platform gives them. Every other field of the
    platform's answer is kept, as received."""

    id: int
    hub: str
    authentication: Authentication
    description: str
    image: str
    active: bool
    deleted: bool
    beta: bool
