"""成绩证明 and the printed 学法档案 that anyone can verify.

Issuing (a POST by the learner, or by an admin who manages the person's unit) stores a
``Certificate`` row: who, the unit's name, the year and what was certified (the
exam's score and result; or the year's sign-ins and exam results). Its code is the
row's id and an HMAC of it under the app's SECRET_KEY (the id masked, see _encode), 16
base32 letters in groups of four: an edited or invented code fails the check before any
lookup. The public page
(/verify/<code>) shows the masked name, the unit, the year and what was certified,
and whether the records as they stand now still bear it out (a regrade that changed
the result, a revoked sign-in: 已失效).
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..core.exceptions import NotFound, PermissionDenied
from ..exams.models import Exam
from ..extensions import db
from ..org import audit
from ..org.models import User
from ..org.permissions import Perm, can
from ..org.services import Actor
from . import services
from .models import Certificate, CertificateKind

_ID_BYTES = 5
_MAC_BYTES = 5  # 40 bits: with the page rate-limited, guessing is hopeless
_SALT = b"yongxi-certificate:"
_MASK_SALT = b"yongxi-certificate-id:"

INVALID = "验证码无效：请核对证明上的验证码（可能输错，或证明被改动）"
NOT_SAT = "该考试尚无您的成绩，暂不能开具成绩证明"
NOT_SAT_OTHER = "该考试尚无此人的成绩，暂不能开具成绩证明"
REVOKED_EXAM = "该考试的成绩此后已更正（如重新评分），与本证明所载不符"
REVOKED_YEAR = "本证明所载的记录此后已更正（如签到撤销、重新评分），与现有记录不符"


class CertificateError(Exception):
    """Refused, with a message for the person."""


def _hmac(key: str, salt: bytes, data: bytes) -> bytes:
    return hmac.new(key.encode(), salt + data, hashlib.sha256).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=False))


def _encode(key: str, certificate_id: int) -> bytes:
    """The tag (an HMAC of the id), then the id masked by a keystream drawn from the
    tag: the code neither shows the id nor counts up from one certificate to the next."""
    raw_id = certificate_id.to_bytes(_ID_BYTES, "big")
    tag = _hmac(key, _SALT, raw_id)[:_MAC_BYTES]
    return tag + _xor(raw_id, _hmac(key, _MASK_SALT, tag))


def _decode(key: str, raw: bytes) -> int | None:
    tag, masked = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    raw_id = _xor(masked, _hmac(key, _MASK_SALT, tag))
    if not hmac.compare_digest(tag, _hmac(key, _SALT, raw_id)[:_MAC_BYTES]):
        return None
    return int.from_bytes(raw_id, "big")


def code_for(certificate_id: int) -> str:
    text = base64.b32encode(_encode(current_app.config["SECRET_KEY"], certificate_id)).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


# Letters people mistake for the digits base32 leaves out.
_TYPOS = str.maketrans({"0": "O", "1": "I", "8": "B"})


def certificate_id(code: str) -> int | None:
    """The id a code signs, or None when it was edited or invented."""
    text = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_TYPOS)
    if len(text) != 16:
        return None
    try:
        raw = base64.b32decode(text)
    except ValueError:
        return None
    keys = [current_app.config["SECRET_KEY"], *current_app.config.get("SECRET_KEY_FALLBACKS", [])]
    for key in keys:
        found = _decode(key, raw)
        if found is not None:
            return found
    return None


def masked_name(name: str) -> str:
    """张*明, 张*, 欧**明: the first and last characters, the rest starred."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _score(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _exam_claim(line: services.ExamLine) -> dict:
    return {"title": line.exam.title, "score": _score(line.best), "result": line.result}


def claims_of(kind: CertificateKind, person: User, year: int, exam_id, now) -> dict | None:
    """What the records bear out now, in the form a certificate stores it; None when
    there is nothing to certify (an exam without a score)."""
    record = services.year_record(person, year, now=now)
    if kind is CertificateKind.EXAM:
        line = next((x for x in record.exams if x.exam.id == exam_id), None)
        if line is None or line.exempt or line.best is None:
            return None
        return _exam_claim(line)
    return {
        "sessions": [a.id for a in record.attendance],
        "hours": _score(record.hours),
        "credit": _score(record.credits.total),
        "exams": {str(x.exam.id): _exam_claim(x) for x in record.exams if not x.exempt},
    }


def may_issue(user: User, person: User) -> bool:
    return user.id == person.id or can(user, Perm.MANAGE_PEOPLE, person.unit)


def may_view(user: User, certificate: Certificate) -> bool:
    return services.may_view(user, certificate.person)


def issue(
    person: User,
    kind: CertificateKind,
    *,
    year: int | None = None,
    exam: Exam | None = None,
    actor: Actor,
    now: datetime,
) -> Certificate:
    """A certificate of the records as they stand: the one already issued for exactly
    this state, or a new one (audited)."""
    if not may_issue(actor.user, person):
        raise PermissionDenied(Perm.MANAGE_PEOPLE)
    if kind is CertificateKind.EXAM:
        if exam is None:
            raise NotFound()
        year = exam.year
    exam_id = exam.id if kind is CertificateKind.EXAM else None
    claims = claims_of(kind, person, year, exam_id, now)
    if claims is None:
        raise CertificateError(NOT_SAT if actor.user.id == person.id else NOT_SAT_OTHER)
    text = json.dumps(claims, ensure_ascii=False, sort_keys=True)
    same = db.session.scalar(
        sa.select(Certificate)
        .where(
            Certificate.user_id == person.id,
            Certificate.kind == kind,
            Certificate.year == year,
            Certificate.exam_id.is_(None) if exam_id is None else Certificate.exam_id == exam_id,
            Certificate.unit_name == person.unit.name,
            Certificate.claims == text,
        )
        .order_by(Certificate.id.desc())
        .limit(1)
    )
    if same is not None:
        return same
    certificate = Certificate(
        kind=kind,
        user_id=person.id,
        year=year,
        exam_id=exam_id,
        unit_name=person.unit.name,
        claims=text,
        issued_at=now,
        issued_by_id=actor.user.id,
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.code = code_for(certificate.id)
    what = exam.title if exam is not None else f"{year}年度学法档案"
    audit.record(
        "certificate.issue",
        actor=actor.user,
        address=actor.address,
        obj=certificate,
        detail=f"{person.name}：{what}",
    )
    db.session.flush()
    return certificate


@dataclass(frozen=True)
class Verdict:
    certificate: Certificate
    masked_name: str
    claims: dict
    valid: bool
    reason: str

    @property
    def exams(self) -> list[dict]:
        """The year certificate's exam lines, in the order certified."""
        return list(self.claims.get("exams", {}).values())


def _still_true(certificate: Certificate, claims: dict, now: datetime) -> bool:
    current = claims_of(
        certificate.kind, certificate.person, certificate.year, certificate.exam_id, now
    )
    if current is None:
        return False
    if certificate.kind is CertificateKind.EXAM:
        return current == claims
    # Later sign-ins and sittings add to a year (an exam 未参考 then may be sat since);
    # only what was certified must still hold.
    if "credit" in claims and Decimal(current["credit"]) < Decimal(claims["credit"]):
        return False  # a 学时 certified is no longer on record
    return set(claims["sessions"]) <= set(current["sessions"]) and all(
        current["exams"].get(exam_id) == line
        for exam_id, line in claims["exams"].items()
        if line["score"] is not None
    )


def verify(code: str, *, now: datetime) -> Verdict:
    """What the certificate with ``code`` says, and whether it still holds; raises
    CertificateError(INVALID) for a code that was edited, invented or never issued."""
    found = certificate_id(code)
    certificate = db.session.get(Certificate, found) if found is not None else None
    if certificate is None:
        raise CertificateError(INVALID)
    claims = json.loads(certificate.claims)
    valid = _still_true(certificate, claims, now)
    reason = ""
    if not valid:
        reason = REVOKED_EXAM if certificate.kind is CertificateKind.EXAM else REVOKED_YEAR
    return Verdict(certificate, masked_name(certificate.person.name), claims, valid, reason)


def find(certificate_id: int, viewer: User) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not may_view(viewer, certificate):
        raise NotFound()
    return certificate
