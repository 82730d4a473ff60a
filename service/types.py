"""The XML types of the SOAP contract, with facets taken from the table columns.

Each type lists its fields once, as ``(name, spyne type)`` pairs in camelCase.
Where a field stores a column, :func:`column_field` copies that column's rules
(length, enumeration, digits, documentation) into the XML schema, so the WSDL
and the database refuse the same values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import is_dataclass
from typing import Any

from spyne import (
    Array,
    Boolean,
    ComplexModel,
    Date,
    DateTime,
    Decimal,
    Integer,
    Unicode,
)

from api import tables
from api.db import Column

#: The target namespace of the contract.
TNS = "urn:core:v1"


class CoreModel(ComplexModel):
    """Base of every CORE type: puts it in CORE's namespace."""

    __namespace__ = TNS

    class Annotations(ComplexModel.Annotations):
        """Each type's docstring becomes its documentation in the WSDL."""

        __use_parent_doc__ = True


def optional(spyne_type: Any, doc: str = "") -> Any:
    """A field a record may leave out (``minOccurs=0``, nillable)."""
    return (
        spyne_type(min_occurs=0, nillable=True, doc=doc)
        if doc
        else spyne_type(min_occurs=0, nillable=True)
    )


def required(spyne_type: Any, doc: str = "", **facets: Any) -> Any:
    """A field that is always present (``minOccurs=1``, not nillable)."""
    if spyne_type is Unicode:
        facets.setdefault("min_len", 1)
    return spyne_type(min_occurs=1, nillable=False, doc=doc, **facets)


def column_field(column: Column, *, is_required: bool, doc: str | None = None) -> Any:
    """Return the spyne type of a field that stores ``column``, with its facets."""
    facets = column.facets()
    kwargs: dict[str, Any] = {"doc": doc if doc is not None else column.doc}
    if is_required:
        kwargs.update(min_occurs=1, nillable=False)
    else:
        kwargs.update(min_occurs=0, nillable=True)

    if "choices" in facets:
        return Unicode(values=facets["choices"], **kwargs)
    if column.type_name in ("integer", "serial", "version", "reference"):
        return Integer(**kwargs)
    if column.type_name == "decimal":
        digits = facets["precision"]
        return Decimal(total_digits=digits, fraction_digits=facets["scale"], **kwargs)
    if column.type_name == "boolean":
        return Boolean(**kwargs)
    if column.type_name == "timestamp":
        return DateTime(**kwargs)
    if column.type_name == "date":
        return Date(**kwargs)
    return Unicode(**_text_facets(facets, is_required), **kwargs)


def _text_facets(facets: Mapping[str, Any], is_required: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "max_length" in facets:
        found["max_len"] = facets["max_length"]
    if is_required:
        found["min_len"] = max(1, facets.get("min_length", 1))
    if "pattern" in facets:
        found["pattern"] = facets["pattern"]
    return found


def camel(name: str) -> str:
    """``postal_code`` -> ``postalCode``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@functools.cache
def snake(name: str) -> str:
    """``postalCode`` -> ``postal_code``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def to_model(model: type[ComplexModel], record: Any) -> ComplexModel:
    """Build an instance of ``model`` from a business record (a dataclass).

    Fields are read without copying the record, and a customized type (the
    item of an array) is built as its original class, as Spyne expects.
    """
    read = record.get if isinstance(record, dict) else _attribute_reader(record)
    fields = {}
    for name, spyne_type in model._type_info.items():
        fields[name] = _convert(spyne_type, read(snake(name)))
    return (getattr(model, "__orig__", None) or model)(**fields)


def _attribute_reader(record: Any) -> Any:
    return lambda name: getattr(record, name, None)


def _convert(spyne_type: Any, value: Any) -> Any:
    item = getattr(spyne_type, "_type_info", None)
    if isinstance(value, list) and item:
        (inner,) = item.values()
        return [to_model(inner, element) for element in value]
    if (isinstance(value, dict) or is_dataclass(value)) and issubclass(
        spyne_type, ComplexModel
    ):
        return to_model(spyne_type, value)
    return value


class Reply:
    """An operation's answer before it becomes Spyne objects: a record and its type.

    The fast response writer reads the business record itself; Spyne's own
    serializer gets the instances of :meth:`to_model` instead.

    :param model: the contract's type of the record, or of each record of a list.
    :param record: a business record (a dataclass), or a list of them.
    """

    __slots__ = ("model", "record")

    def __init__(self, model: type[ComplexModel], record: Any) -> None:
        self.model = model
        self.record = record

    def to_model(self) -> Any:
        """The Spyne instance, or list of instances, that stands for the record."""
        if isinstance(self.record, list):
            return [to_model(self.model, item) for item in self.record]
        return to_model(self.model, self.record)


def to_arguments(
    value: ComplexModel | None, *, drop_none: bool = True
) -> dict[str, Any]:
    """Turn an input type into keyword arguments of the business API (snake_case)."""
    if value is None:
        return {}
    found = {}
    for name in type(value)._type_info:
        item = getattr(value, name, None)
        if item is None and drop_none:
            continue
        found[snake(name)] = item
    return found


def page_type(item: type[ComplexModel], name: str, doc: str) -> type[ComplexModel]:
    """Return the type of one page of ``item`` records: items and the next cursor."""
    return type(
        name,
        (CoreModel,),
        {
            "__doc__": doc,
            "_type_info": [
                ("items", Array(item, min_occurs=1, nillable=False)),
                (
                    "nextCursor",
                    Unicode(
                        min_occurs=0,
                        nillable=True,
                        doc="Pass to the same search for the next page;"
                        " absent on the last.",
                    ),
                ),
            ],
        },
    )


def fields_of(
    table: type[tables.Table], names: Iterable[str], required_names: Iterable[str] = ()
) -> list[tuple[str, Any]]:
    """Return ``(camelName, type)`` pairs for columns of ``table``."""
    must = set(required_names)
    return [
        (
            camel(name),
            column_field(table.__meta__.column(name), is_required=name in must),
        )
        for name in names
    ]
