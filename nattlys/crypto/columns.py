"""Column types that encrypt on the way into the database and decrypt on the
way out, so a model changes by one column type and nothing else notices."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from nattlys.crypto import envelope, keys


class EncryptedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else envelope.encrypt(keys.current(), value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else envelope.decrypt(keys.current(), value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document (plan content, proposed changes, ticked warning signs),
    encrypted as one value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return envelope.encrypt(keys.current(), json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(envelope.decrypt(keys.current(), value))


ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)
