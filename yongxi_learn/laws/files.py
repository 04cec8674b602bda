"""An uploaded law file (.txt or .docx) → its text, read safely.

The same guards as the spreadsheet import (core/spreadsheets.py): the size is checked
before anything is read, a .docx's ZIP container is checked (entry count, declared
sizes, compression ratio, encryption, required parts) and its XML's paragraphs and
elements counted (core/xml_scan) before python-docx (lxml with entities off) parses
it, and every failure becomes one Chinese message.
"""

import codecs
import io
import warnings
import zipfile

from ..core.spreadsheets import (
    MAX_RATIO,
    OLE2_SIGNATURE,
    RATIO_CHECK_FROM,
    ZIP_SIGNATURE,
    Limits,
    megabytes,
)
from ..core.xml_scan import Count, XmlRefused, scan

DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
EXTENSIONS = (".txt", ".docx")
MAX_CHARS = 1_000_000  # 民法典 is about 110,000 characters
WRONG_TYPE = "只能上传 .txt 或 .docx 文件；旧版 .doc、.wps 或 PDF 请先用 Word 或 WPS 另存为 .docx"
NOT_DOCX = "文件不是有效的 .docx 文件，请用 Word 或 WPS 打开后另存为 .docx 再上传"
CORRUPT = "文件已损坏或不完整，请重新保存后上传"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RUN_TEXT = tuple(f"{W}{name}" for name in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
UNREADABLE = "文件内容无法读取，请用 Word 或 WPS 另存为 .docx 后重新上传"
# Transitional and Strict OOXML name the paragraph in two namespaces.
PARAGRAPHS = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p",
    "{http://purl.oclc.org/ooxml/wordprocessingml/main}p",
)
ENCRYPTED_OR_DOC = "文件已加密或为旧版 .doc 格式，请用 Word 或 WPS 另存为 .docx 后上传"


class LawFileError(ValueError):
    """The file cannot be read as a law's text; the message says why, in Chinese."""


def read_law_file(content: bytes, filename: str, limits: Limits) -> str:
    """The text of an uploaded .txt or .docx."""
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS):
        raise LawFileError(WRONG_TYPE)
    if not content:
        raise LawFileError("文件是空的，请选择法规全文文件")
    if len(content) > limits.max_bytes:
        raise LawFileError(f"文件过大（不能超过{megabytes(limits.max_bytes)}）")
    text = read_docx(content, limits) if name.endswith(".docx") else decode_text(content)
    if len(text) > MAX_CHARS:
        raise LawFileError(f"文件内容过长（超过{MAX_CHARS}字），请确认是一部法规的全文")
    return text


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM (Notepad's "Unicode"), or
    GB18030 (which covers GBK and GB2312, what Chinese Windows saves)."""
    if content.startswith(codecs.BOM_UTF8):
        return _decode(content[len(codecs.BOM_UTF8) :], "utf-8")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(content, "utf-16")
    if content.startswith((ZIP_SIGNATURE, OLE2_SIGNATURE)):
        raise LawFileError("文件不是纯文本，而是 Word 等格式的文件，请把扩展名改回原样后上传")
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LawFileError("无法识别文件的文字编码，请用记事本另存为 UTF-8 编码后上传")


def _decode(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        raise LawFileError("文件的文字编码有误，请用记事本另存为 UTF-8 编码后上传") from None


# ---------------------------------------------------------------- .docx


def check_docx_container(content: bytes, limits: Limits) -> None:
    if content.startswith(OLE2_SIGNATURE):
        raise LawFileError(ENCRYPTED_OR_DOC)
    if not content.startswith(ZIP_SIGNATURE):
        raise LawFileError(NOT_DOCX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise LawFileError(CORRUPT) from exc
    with archive:
        _check_entries(archive.infolist(), limits)
        _scan(archive, limits)


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise LawFileError("文件结构异常（包含的部件过多），请另存为 .docx 后上传")
    if any(info.flag_bits & 0x1 for info in entries):
        raise LawFileError(ENCRYPTED_OR_DOC)
    if not {info.filename for info in entries}.issuperset(DOCX_PARTS):
        raise LawFileError(NOT_DOCX)
    if sum(info.file_size for info in entries) > limits.max_uncompressed:
        raise LawFileError("文件解压后过大，请删除图片等无关内容后上传")
    for info in entries:
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise LawFileError("文件结构异常（压缩比异常），已拒绝处理")


def _scan(archive: zipfile.ZipFile, limits: Limits) -> None:
    n = limits.max_paragraphs
    too_long = f"文件的段落过多（超过{n}段），请确认是一部法规的全文"
    try:
        scan(
            archive,
            tuple(Count(tag, n, too_long) for tag in PARAGRAPHS),
            max_elements=limits.max_xml_elements,
            too_many="文件内容过于繁杂，请删除图片、批注等无关内容，或另存为纯文本（.txt）后上传",
            unreadable=UNREADABLE,
        )
    except XmlRefused as exc:
        raise LawFileError(str(exc)) from None


def read_docx(content: bytes, limits: Limits) -> str:
    """The paragraphs of the document body, one per line."""
    check_docx_container(content, limits)
    import docx  # python-docx: imported here, only an upload needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            body = docx.Document(io.BytesIO(content)).element.body
            return "\n".join(_paragraph_text(p) for p in body.iterchildren(f"{W}p"))
        except Exception as exc:  # any parser failure means the same to the admin
            raise LawFileError(UNREADABLE) from exc


def _paragraph_text(p) -> str:
    """python-docx's ``Paragraph.text`` (runs and hyperlinks' runs; tabs and breaks as
    its elements print them) without its XPath per run, about 50 us each."""
    parts = []
    for child in p.iterchildren(f"{W}r", f"{W}hyperlink"):
        runs = (child,) if child.tag == f"{W}r" else child.iterchildren(f"{W}r")
        for run in runs:
            parts.extend(str(e) for e in run.iterchildren(*RUN_TEXT))
    return "".join(parts)
