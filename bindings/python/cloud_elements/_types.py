"""The typed dicts that results are made of; the native module imports and re-exports them.
Import them from ``cloud_elements``."""

from typing import TYPE_CHECKING, Any, Dict, TypedDict, Union

if TYPE_CHECKING:
    from ._native import Secret

__all__ = ["ConfigurationEntry"]


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
