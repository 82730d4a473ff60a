"""A fast writer of successful SOAP responses, byte for byte what Spyne writes.

Spyne serializes a response by building an lxml tree element by element, asking
each field's type for its attributes, handler and namespace again and calling
the logging module on the way; for a page of records that is most of the
request. :class:`FastSoap11` is the output protocol that replaces only that
step: the first time an operation answers, it compiles a writer for the
operation's ``...Response`` message from the declared fields of its types
(nested types, arrays, optional and required fields, defaults), and from then on
writes the envelope by joining strings. An operation that answers with a
:class:`~service.types.Reply` is written from its business records directly,
each camelCase field read from its snake_case attribute, so no Spyne object is
built; the writer of each record type is generated as Python source, a few
inline statements per simple field, since a page writes thousands of fields.
When Spyne must write such an answer, it gets the records' Spyne objects.

The writer follows Spyne's own rules: an absent optional field is left out, an
absent required one is written ``xsi:nil``, booleans are ``true``/``false``,
numbers are ``str()`` of the value, datetimes ``isoformat()``, and text is
escaped as lxml escapes it. Whatever it was not built for goes to Spyne's own
code unchanged: faults, headers, requests, a type or attribute it does not know
(found once, when compiling), and a value of an unexpected type (found while
writing; the partial output is then thrown away).
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from lxml import etree
from spyne import BODY_STYLE_WRAPPED
from spyne.const.xml import NS_XSI
from spyne.model import Array, ComplexModelBase
from spyne.model.primitive import Boolean, Date, DateTime, Decimal, Integer, Unicode

from service.hardening import HardenedSoap11
from service.types import Reply, snake

logger = logging.getLogger(__name__)

#: Characters that need an entity in text, or that XML 1.0 cannot carry at all.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE = re.compile('[&<>"\t\n\r]')
#: Protocol events whose listeners expect the lxml document of a response.
_DOCUMENT_EVENTS = ("before_serialize", "after_serialize")
#: Type attributes that change how Spyne turns a simple value into text.
_FORMATS = (
    "format",
    "str_format",
    "string_format",
    "interp_format",
    "date_format",
    "serialize_as",
)
_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"


class Model(Protocol):
    """What the writer reads of a Spyne type, a class Spyne fills in at run time."""

    _type_info: Any
    Attributes: Any

    def get_namespace(self) -> str: ...

    def get_type_name(self) -> str: ...

    def get_serialization_instance(self, value: Any) -> Any: ...


Convert = Callable[[Any], str]
Write = Callable[[Any, "Output"], None]
MessageWriter = Callable[[Any], bytes]


class Unsupported(Exception):
    """A type, attribute or value that the writer leaves to Spyne."""


class Output(list[str]):
    """The pieces of a document being written; ``nil`` once one is ``xsi:nil``."""

    __slots__ = ("nil",)

    def __init__(self) -> None:
        super().__init__()
        self.nil = False


def escape_text(text: str) -> str:
    """Escape ``text`` as lxml writes element content.

    :raises ValueError: for a character that XML 1.0 cannot carry, as lxml does.
    """
    if _SPECIAL.search(text) is None:
        return text
    if _NOT_XML.search(text) is not None:
        raise ValueError(f"not an XML 1.0 character in {text[:40]!r}")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def unicode_text(value: Any) -> str:
    """Text as Spyne's Unicode writes it: the string itself, escaped."""
    if type(value) is not str:
        raise Unsupported(f"text of type {type(value).__name__}")
    return value if _SPECIAL.search(value) is None else escape_text(value)


def integer_text(value: Any) -> str:
    """An integer as Spyne writes it: checked with ``int()``, written with ``str()``."""
    if type(value) is int:
        return str(value)
    int(value)
    return unicode_text(str(value))


def decimal_text(value: Any) -> str:
    """A decimal as Spyne writes it: ``str()`` of the value, so ``0.10`` stays."""
    if type(value) is decimal.Decimal:
        return str(value)
    decimal.Decimal(value)
    return unicode_text(str(value))


def boolean_text(value: Any) -> str:
    """``true`` or ``false``, from the value's truth as Spyne takes it."""
    return "true" if value else "false"


def datetime_text(value: Any) -> str:
    """A datetime as Spyne's SOAP protocol writes it: ``isoformat()``, offset kept."""
    if type(value) is dt.datetime:
        return value.isoformat()
    return unicode_text(value.isoformat())


def date_text(value: Any) -> str:
    """A date as Spyne writes it; a datetime is cut to its date first."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return unicode_text(value.isoformat())


@dataclass(frozen=True)
class Text:
    """How a simple field is written: its converter, tags, default and nil form.

    ``required`` says whether an absent value is written (as the default, or
    else as ``xsi:nil``) rather than left out.
    """

    convert: Convert
    start: str
    end: str
    default: Any
    nil: str
    required: bool


#: Converters whose common case the generated code does inline, without a call:
#: the expression for a value ``v``, which falls back to the converter ``c``.
_INLINE: dict[Convert, str] = {
    unicode_text: "(v if type(v) is str and special(v) is None else c(v))",
    integer_text: "(str(v) if type(v) is int else c(v))",
    decimal_text: "(str(v) if type(v) is Decimal else c(v))",
    datetime_text: "(v.isoformat() if type(v) is datetime else c(v))",
    boolean_text: '("true" if v else "false")',
}


def generate_record_writer(
    type_name: str, fields: list[tuple[str, Write]], texts: dict[Write, Text]
) -> Write:
    """Generate the Python source of one record type's writer, and compile it.

    Each simple field becomes a few inline statements (read the attribute,
    test for ``None``, convert, append); any other field calls its compiled
    writer. It writes exactly what calling each field's writer in turn does.
    Every constant reaches the code through its namespace, never its source.

    :param texts: how each simple field's writer writes it.
    """
    namespace: dict[str, Any] = {
        "special": _SPECIAL.search,
        "Decimal": decimal.Decimal,
        "datetime": dt.datetime,
    }
    lines = ["def write(value, out):", "    append = out.append"]
    for index, (name, member) in enumerate(fields):
        lines += _field_source(index, name, texts.get(member), member, namespace)
    lines.append("    return None")

    source = "\n".join(lines)
    code = compile(source, f"<record writer of {type_name}>", "exec")
    exec(code, namespace)  # the source holds names and literals, nothing else
    write: Write = namespace["write"]
    return write


def _field_source(
    index: int, name: str, text: Text | None, member: Write, namespace: dict[str, Any]
) -> list[str]:
    """The statements that write field ``index``, read as attribute ``name``;
    ``text`` says how, for a simple field."""
    read = f"    v = getattr(value, {name!r}, None)"
    if text is None:
        namespace[f"m{index}"] = member
        return [read, f"    m{index}(v, out)"]

    convert = f"c{index}"
    namespace.update({convert: text.convert, f"s{index}": text.start})
    namespace[f"e{index}"] = text.end
    expression = _INLINE.get(text.convert, "c(v)").replace("c(", f"{convert}(")
    lines = [read, "    if v is not None:"]
    lines.append(f"        append(s{index} + {expression} + e{index})")
    if text.required:
        if text.default is None:
            namespace[f"n{index}"] = text.nil
            lines += [
                "    else:",
                f"        append(n{index})",
                "        out.nil = True",
            ]
        else:
            namespace[f"d{index}"] = text.default
            lines += ["    else:", "        v = d" + str(index)]
            lines.append(f"        append(s{index} + {expression} + e{index})")
    return lines


class Compiler:
    """Builds the writer of a response message from its declared types.

    Every lookup Spyne makes per element (attributes, handler, namespace,
    prefix, tag) is made here once.

    :param protocol: the protocol whose attributes, handlers and namespace
        prefixes the writer reproduces.
    :param records: read the values of complex types from business records
        (dataclasses or dicts with snake_case names, as
        :func:`service.types.to_model` reads them) instead of Spyne instances.
    """

    def __init__(self, protocol: HardenedSoap11, *, records: bool = False) -> None:
        self.protocol = protocol
        self.records = records
        self.nsmap: dict[str | None, str] = dict(protocol.app.interface.nsmap)
        self.prefixes = _prefixes(self.nsmap)
        self.converters = _converters(protocol)
        self.bodies: dict[Model, Write] = {}
        #: How each simple field's writer writes it, for the generated writers.
        self.texts: dict[Write, Text] = {}
        self.namespaces: set[str] = set()
        self.nil = self._prefixed(NS_XSI, "nil")

    def message(self, cls: Model) -> MessageWriter:
        """Return the writer of a whole response envelope for ``out_object``.

        :raises Unsupported: when Spyne must write this message itself.
        """
        attrs = self.protocol.get_cls_attrs(cls)
        if attrs.read_only or attrs.exc or attrs.prot or attrs.sub_name or attrs.sub_ns:
            raise Unsupported(f"unusual attributes of {cls.get_type_name()}")
        namespace = cls.get_namespace()
        start, end, empty = self.tags(namespace, cls.get_type_name())
        members = [write for _, write in self.members(cls, namespace)]

        # Spyne drops the declarations an answer does not use; all but the
        # envelope's and xsi's must then be the message's own, always used.
        if self.namespaces - {namespace}:
            raise Unsupported(f"more than one namespace in {cls.get_type_name()}")
        head, tail = self.envelope(nil=False)
        nil_head, _ = self.envelope(nil=True)

        def write(values: Any) -> bytes:
            if type(values) is not list and type(values) is not tuple:
                raise Unsupported(f"out_object of type {type(values).__name__}")
            out = Output()
            out.append(start)
            for index, member in enumerate(members):
                member(values[index] if index < len(values) else None, out)
            _close(out, 1, end, empty)
            out.insert(0, nil_head if out.nil else head)
            out.append(tail)
            return "".join(out).encode("utf-8")

        return write

    def envelope(self, *, nil: bool) -> tuple[str, str]:
        """The text before and after the message, with Spyne's declarations."""
        soap = self.protocol.ns_soap_env
        envelope = self._prefixed(soap, "Envelope")
        body = self._prefixed(soap, "Body")
        used = self.namespaces | {soap} | ({NS_XSI} if nil else set())
        declared = "".join(
            f' xmlns:{prefix}="{namespace}"'
            for prefix, namespace in self.nsmap.items()
            if namespace in used
        )
        head = f"<{envelope}{declared}><{body}>"
        if self.protocol.xml_declaration:
            head = _DECLARATION + head
        return head, f"</{body}></{envelope}>"

    def members(self, cls: Model, namespace: str) -> list[tuple[str, Write]]:
        """``(name, writer)`` of each field of ``cls`` that Spyne writes."""
        return [
            (key, self.member(namespace, key, field))
            for key, field in cls._type_info.items()
            if not self.protocol.get_cls_attrs(field).exc
        ]

    def member(self, namespace: str, key: str, cls: Model) -> Write:
        """The writer of one field, with Spyne's rules for absent values."""
        attributes = cls.Attributes
        if attributes.sub_ns is not None:
            namespace = attributes.sub_ns
        name = key if attributes.sub_name is None else attributes.sub_name
        required, optional = self.element(cls, namespace, name)
        if attributes.max_occurs > 1:
            return _repeated(required, attributes.min_occurs > 0, self.records)
        return required if attributes.min_occurs > 0 else optional

    def element(self, cls: Model, namespace: str, name: str) -> tuple[Write, Write]:
        """Writers of one element of type ``cls``: when required, when optional.

        The first writes ``None`` as the type's default or else as ``xsi:nil``;
        the second writes nothing for ``None``.
        """
        attrs = self.protocol.get_cls_attrs(cls)
        if attrs.prot is not None:
            raise Unsupported(f"{cls.get_type_name()} has a protocol of its own")
        nil = f'<{self.qualified(namespace, name)} {self.nil}="true"/>'
        handler = self.protocol.serialization_handlers[cls]
        if handler == self.protocol.modelbase_to_parent:
            return self.simple(cls, attrs, namespace, name, nil)
        if handler != self.protocol.complex_to_parent:
            raise Unsupported(f"no writer for {cls.get_type_name()}")
        write = self.complex(cls, attrs, namespace, name)
        return _nillable(write, nil, attrs.default), _optional(write)

    def simple(
        self, cls: Model, attrs: Any, namespace: str, name: str, nil: str
    ) -> tuple[Write, Write]:
        """Writers of a simple value: one element holding its text."""
        convert = self.converters.get(self.protocol._to_unicode_handlers[cls])
        if convert is None or any(getattr(attrs, key) for key in _FORMATS):
            raise Unsupported(f"no text for {cls.get_type_name()}")
        start, end, _ = self.tags(namespace, name)
        default = attrs.default

        def required(value: Any, out: Output) -> None:
            if value is None:
                value = default
                if value is None:
                    out.append(nil)
                    out.nil = True
                    return
            out.append(start + convert(value) + end)

        def optional(value: Any, out: Output) -> None:
            if value is not None:
                out.append(start + convert(value) + end)

        self.texts[required] = Text(convert, start, end, default, nil, True)
        self.texts[optional] = Text(convert, start, end, default, nil, False)
        return required, optional

    def complex(self, cls: Model, attrs: Any, namespace: str, name: str) -> Write:
        """The writer of a complex value: its element around its members."""
        if isinstance(attrs.sub_ns, str):
            namespace = attrs.sub_ns
        if attrs.sub_name is not None:
            name = attrs.sub_name
        start, end, empty = self.tags(namespace, name)
        content = self.array(cls) if _is_array(cls) else self.record(cls)

        def write(value: Any, out: Output) -> None:
            size = len(out)
            out.append(start)
            content(value, out)
            _close(out, size + 1, end, empty)

        return write

    def array(self, cls: Model) -> Write:
        """The writer of an array's items, one element each."""
        ((key, item),) = cls._type_info.items()
        if self.protocol.get_cls_attrs(item).exc or _base(cls) is not None:
            raise Unsupported(f"an unusual array {cls.get_type_name()}")
        if self.records and not issubclass(item, ComplexModelBase):
            raise Unsupported(f"an array of simple values {cls.get_type_name()}")
        return self.member(cls.get_namespace(), key, item)

    def record(self, cls: Model) -> Write:
        """The writer of the members of ``cls``, its base's first as in Spyne."""
        found = self.bodies.get(cls)
        if found is not None:
            return found
        _check_instances(cls)
        if self.records:
            return self._record_fields(cls)
        bases: list[Write] = []
        members: list[tuple[str, Write]] = []

        def write(value: Any, out: Output) -> None:
            if isinstance(value, (list, tuple, dict)):
                value = cls.get_serialization_instance(value)
            for base in bases:
                base(value, out)
            for key, member in members:
                try:
                    field = getattr(value, key, None)
                except Exception:  # noqa: BLE001 - Spyne takes it as absent
                    field = None
                member(field, out)

        self.bodies[cls] = write  # before the members: a type may hold itself
        base = _base(cls)
        if base is not None:
            bases.append(self.record(base))
        members += self.members(cls, cls.get_namespace())
        return write

    def _record_fields(self, cls: Model) -> Write:
        """The writer of the members of ``cls`` read from a business record.

        Each camelCase field is read from its snake_case attribute or key;
        anything but a dataclass or a dict is left to Spyne.
        """
        if _base(cls) is not None:
            raise Unsupported(f"{cls.get_type_name()} extends another type")
        fields: list[tuple[str, Write]] = []
        generated: list[Write] = []

        def from_dict(value: dict[str, Any], out: Output) -> None:
            for name, member in fields:
                member(value.get(name), out)

        def write(value: Any, out: Output) -> None:
            if isinstance(value, dict):
                return from_dict(value, out)
            if not hasattr(type(value), "__dataclass_fields__"):
                raise Unsupported(f"a record of type {type(value).__name__}")
            return generated[0](value, out)

        self.bodies[cls] = write  # before the members: a type may hold itself
        fields += [
            (snake(key), member)
            for key, member in self.members(cls, cls.get_namespace())
        ]
        name = cls.get_type_name()
        generated.append(generate_record_writer(name, fields, self.texts))
        return write

    def tags(self, namespace: str, name: str) -> tuple[str, str, str]:
        """The start, end and empty-element tags of an element."""
        qualified = self.qualified(namespace, name)
        return f"<{qualified}>", f"</{qualified}>", f"<{qualified}/>"

    def qualified(self, namespace: str, name: str) -> str:
        """``prefix:name`` of an element of the body; its namespace is noted."""
        qualified = self._prefixed(namespace, name)
        self.namespaces.add(namespace)
        return qualified

    def _prefixed(self, namespace: str, name: str) -> str:
        prefix = self.prefixes.get(namespace)
        if prefix is None:
            raise Unsupported(f"no single prefix for the namespace {namespace!r}")
        return f"{prefix}:{name}"


def _prefixes(nsmap: dict[str | None, str]) -> dict[str, str]:
    """Namespace to prefix, for each namespace that one prefix alone stands for.

    A namespace that would need escaping in its declaration is left out too.
    """
    found: dict[str, str] = {}
    shared: set[str] = set()
    for prefix, namespace in nsmap.items():
        if prefix is None or namespace in found or _ATTRIBUTE.search(namespace):
            shared.add(namespace)
        else:
            found[namespace] = prefix
    return {ns: prefix for ns, prefix in found.items() if ns not in shared}


def _converters(protocol: HardenedSoap11) -> dict[Any, Convert]:
    """Spyne's text handlers that a converter here reproduces, with that converter."""
    handlers = protocol._to_unicode_handlers
    found: dict[Any, Convert] = {
        handlers[Unicode]: unicode_text,
        handlers[Integer]: integer_text,
        handlers[Decimal]: decimal_text,
        handlers[Boolean]: boolean_text,
        handlers[Date]: date_text,
    }
    if handlers[DateTime] != protocol.datetime_to_unicode:
        found[handlers[DateTime]] = datetime_text  # the SOAP protocol's isoformat
    return found


def _is_array(cls: Model) -> bool:
    return _instances_of(cls) is _instances_of(Array)


def _check_instances(cls: Model) -> None:
    """Refuse a type that turns values into instances in a way of its own."""
    if _instances_of(cls) is not _instances_of(ComplexModelBase):
        raise Unsupported(f"{cls.get_type_name()} builds its own instances")


def _instances_of(cls: Model) -> Any:
    """The function behind the classmethod that makes a type's instances."""
    return getattr(cls.get_serialization_instance, "__func__", None)


def _base(cls: Model) -> Model | None:
    return getattr(cls, "__extends__", None)


def _nillable(write: Write, nil: str, default: Any) -> Write:
    def nillable(value: Any, out: Output) -> None:
        if value is None:
            value = default
            if value is None:
                out.append(nil)
                out.nil = True
                return
        write(value, out)

    return nillable


def _optional(write: Write) -> Write:
    def optional(value: Any, out: Output) -> None:
        if value is not None:
            write(value, out)

    return optional


def _repeated(write: Write, required: bool, records: bool = False) -> Write:
    """The writer of a repeated element; of records, a list without ``None``."""

    def repeated(value: Any, out: Output) -> None:
        if value is None:
            if required:
                write(value, out)
            return
        if type(value) is not list and type(value) is not tuple:
            raise Unsupported(f"a repeated value of type {type(value).__name__}")
        for item in value:
            write(item, out)

    def repeated_records(value: Any, out: Output) -> None:
        if value is None:
            if required:
                write(value, out)
            return
        if type(value) is not list:
            raise Unsupported(f"repeated records of type {type(value).__name__}")
        for item in value:
            if item is None:
                raise Unsupported("no record in a list of records")
            write(item, out)

    return repeated_records if records else repeated


def _close(out: Output, first: int, end: str, empty: str) -> None:
    """End an element; one without content is written empty, as lxml does."""
    if len(out) == first:
        out[first - 1] = empty
    else:
        out.append(end)


class FastSoap11(HardenedSoap11):
    """SOAP 1.1 whose successful responses are written by a compiled writer.

    Use it as the Spyne application's ``out_protocol``. A successful response
    of a wrapped operation goes straight to ``ctx.out_string`` and
    ``ctx.out_document`` stays ``None``; faults, requests, headers and any
    response with listeners of its lxml document are Spyne's :class:`Soap11`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers: dict[tuple[Model, bool], MessageWriter | None] = {}

    def serialize(self, ctx: Any, message: Any) -> Any:
        """Write a successful response; leave anything else to Spyne.

        An answer of :class:`~service.types.Reply` records is written from the
        records themselves; when Spyne must write it, or anything else in
        the response, it gets the Spyne objects of the records instead.
        """
        if _has_reply(ctx.out_object):
            if self._write_records(ctx, message):
                return None
            ctx.out_object = [
                v.to_model() if type(v) is Reply else v for v in ctx.out_object
            ]
        writer = self._writer(ctx, message)
        if writer is None:
            return super().serialize(ctx, message)
        try:
            document = writer(ctx.out_object)
        except Exception as error:  # noqa: BLE001 - Spyne decides what it means
            logger.debug("spyne writes %s: %r", ctx.descriptor.name, error)
            return super().serialize(ctx, message)

        ctx.out_document = None
        ctx.out_string = [document]
        return None

    def create_out_string(self, ctx: Any, charset: str | None = None) -> None:
        """Keep a response already written; let Spyne write any other."""
        if ctx.out_document is None and ctx.out_string is not None:
            if charset is None or _is_utf8(charset):
                return
            ctx.out_document = etree.fromstring(b"".join(ctx.out_string))
        super().create_out_string(ctx, charset)

    def writer_for(
        self, message: Model, *, records: bool = False
    ) -> MessageWriter | None:
        """The compiled writer of a response message, or ``None`` if Spyne writes it.

        :param records: a writer of business records rather than Spyne objects.
        """
        key = (message, records)
        if key in self._writers:
            return self._writers[key]
        try:
            writer: MessageWriter | None = self._compile(message, records)
        except Unsupported as reason:
            logger.info("spyne writes %s: %s", message.get_type_name(), reason)
            writer = None
        self._writers[key] = writer
        return writer

    def _write_records(self, ctx: Any, message: Any) -> bool:
        """Write an answer of records straight to ``ctx.out_string`` if it can."""
        writer = self._writer(ctx, message, records=True)
        if writer is None:
            return False
        values = [v.record if type(v) is Reply else v for v in ctx.out_object]
        try:
            document = writer(values)
        except Exception as error:  # noqa: BLE001 - Spyne decides what it means
            logger.debug("spyne writes %s: %r", ctx.descriptor.name, error)
            return False

        ctx.out_document = None
        ctx.out_string = [document]
        return True

    def _writer(
        self, ctx: Any, message: Any, *, records: bool = False
    ) -> MessageWriter | None:
        descriptor = ctx.descriptor
        if (
            message is not self.RESPONSE
            or ctx.out_error is not None
            or ctx.out_header is not None
            or descriptor is None
            or descriptor.body_style is not BODY_STYLE_WRAPPED
            or self._document_listeners(ctx)
        ):
            return None
        return self.writer_for(descriptor.out_message, records=records)

    def _document_listeners(self, ctx: Any) -> bool:
        if any(self.event_manager.handlers.get(e) for e in _DOCUMENT_EVENTS):
            return True
        managers = [ctx.app.event_manager, *ctx.descriptor.event_managers]
        return any(m.handlers.get("method_return_document") for m in managers)

    def _compile(self, message: Model, records: bool) -> MessageWriter:
        if self.pretty_print or self.polymorphic or self.encoding != "UTF-8":
            raise Unsupported("pretty printing, polymorphism or another encoding")
        if not self.cleanup_namespaces or None in self.app.interface.nsmap:
            raise Unsupported("unused or default namespace declarations")
        return Compiler(self, records=records).message(message)


def _has_reply(values: Any) -> bool:
    if type(values) is not list and type(values) is not tuple:
        return False
    return any(type(value) is Reply for value in values)


def _is_utf8(charset: str) -> bool:
    return charset.lower().replace("_", "-") in ("utf-8", "utf8")
