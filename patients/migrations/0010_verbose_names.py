"""The verbose names made explicit and translatable when the interface was translated (issue 19):
a change of state only, no SQL. Relabel gives each field its label without repeating the field."""

from django.db import migrations

from clinic.migrations._frozen import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_verbose_names"),
        ("patients", "0009_patient_language"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="breakglassreview",
            options={
                "ordering": ["-reviewed_at"],
                "verbose_name": "break-glass review",
                "verbose_name_plural": "break-glass reviews",
            },
        ),
        migrations.AlterModelOptions(
            name="consentsignature",
            options={
                "ordering": ["-signed_at", "-pk"],
                "verbose_name": "consent signature",
                "verbose_name_plural": "consent signatures",
            },
        ),
        migrations.AlterModelOptions(
            name="consenttopic",
            options={"ordering": ["name"], "verbose_name": "consent topic", "verbose_name_plural": "consent topics"},
        ),
        migrations.AlterModelOptions(
            name="consentversion",
            options={
                "ordering": ["topic", "-number"],
                "verbose_name": "consent version",
                "verbose_name_plural": "consent versions",
            },
        ),
        migrations.AlterModelOptions(
            name="contraindicationrule",
            options={
                "ordering": ["condition", "flag_kind", "effect"],
                "verbose_name": "contraindication rule",
                "verbose_name_plural": "contraindication rules",
            },
        ),
        migrations.AlterModelOptions(
            name="diagnosis",
            options={"ordering": ["-diagnosed_on"], "verbose_name": "diagnosis", "verbose_name_plural": "diagnoses"},
        ),
        migrations.AlterModelOptions(
            name="flagproposal",
            options={
                "ordering": ["-response__submitted_at", "pk"],
                "verbose_name": "flag proposal",
                "verbose_name_plural": "flag proposals",
            },
        ),
        migrations.AlterModelOptions(
            name="healthflag",
            options={
                "ordering": ["-active_from"],
                "verbose_name": "health flag",
                "verbose_name_plural": "health flags",
            },
        ),
        migrations.AlterModelOptions(
            name="intakeresponse",
            options={
                "ordering": ["-submitted_at", "-pk"],
                "verbose_name": "intake response",
                "verbose_name_plural": "intake responses",
            },
        ),
        migrations.AlterModelOptions(
            name="intakeversion",
            options={
                "ordering": ["-number"],
                "verbose_name": "intake version",
                "verbose_name_plural": "intake versions",
            },
        ),
        migrations.AlterModelOptions(
            name="kiosksession",
            options={
                "ordering": ["-started_at"],
                "verbose_name": "kiosk session",
                "verbose_name_plural": "kiosk sessions",
            },
        ),
        migrations.AlterModelOptions(
            name="patient",
            options={
                "ordering": ["sort_last_name", "sort_first_name", "id"],
                "verbose_name": "patient",
                "verbose_name_plural": "patients",
            },
        ),
        migrations.AlterModelOptions(
            name="phaserecord",
            options={
                "get_latest_by": ["effective_from", "recorded_at"],
                "ordering": ["-effective_from", "-recorded_at"],
                "verbose_name": "phase record",
                "verbose_name_plural": "phase records",
            },
        ),
        migrations.AlterModelOptions(
            name="study",
            options={"ordering": ["-performed_on"], "verbose_name": "study", "verbose_name_plural": "studies"},
        ),
        migrations.AlterModelOptions(
            name="intakeanswer",
            options={
                "ordering": ["response", "question__position"],
                "verbose_name": "intake answer",
                "verbose_name_plural": "intake answers",
            },
        ),
        Relabel(
            "breakglassaccess",
            {
                "address": "address",
                "created_at": "created at",
                "expires_at": "expires at",
                "patient": "patient",
                "reason": "reason",
                "user": "user",
            },
        ),
        Relabel(
            "breakglassreview",
            {"access": "access", "comment": "comment", "reviewed_at": "reviewed at", "reviewed_by": "reviewed by"},
        ),
        Relabel(
            "consentsignature",
            {
                "agreed": "agreed",
                "channel": "channel",
                "kiosk": "kiosk",
                "patient": "patient",
                "signed_at": "signed at",
                "signed_by": "signed by",
                "text_sha256": "text sha256",
                "typed_name": "typed name",
                "version": "version",
            },
        ),
        Relabel(
            "consenttopic",
            {"active": "active", "modalities": "modalities", "name": "name", "oil_modalities": "oil modalities"},
        ),
        Relabel(
            "consentversion",
            {
                "created_at": "created at",
                "created_by": "created by",
                "number": "number",
                "text": "text",
                "text_sha256": "text sha256",
                "topic": "topic",
            },
        ),
        Relabel(
            "contraindicationrule",
            {
                "active": "active",
                "condition": "condition",
                "effect": "effect",
                "flag_kind": "flag kind",
                "message": "message",
                "modality": "modality",
                "oil_modalities_only": "oil modalities only",
            },
        ),
        Relabel(
            "diagnosis",
            {
                "active": "active",
                "cause": "cause",
                "created_at": "created at",
                "diagnosed_by": "diagnosed by",
                "diagnosed_on": "diagnosed on",
                "patient": "patient",
                "recorded_by": "recorded by",
                "side": "side",
                "title": "title",
            },
        ),
        Relabel(
            "flagproposal",
            {
                "answer": "answer",
                "decided_at": "decided at",
                "decided_by": "decided by",
                "decision_note": "decision note",
                "detail": "detail",
                "health_flag": "health flag",
                "kind": "kind",
                "patient": "patient",
                "response": "response",
                "status": "status",
                "substance": "substance",
            },
        ),
        Relabel(
            "healthflag",
            {
                "active_from": "active from",
                "active_to": "active to",
                "created_at": "created at",
                "kind": "kind",
                "note": "note",
                "patient": "patient",
                "recorded_by": "recorded by",
                "substance": "substance",
            },
        ),
        Relabel(
            "intakeanswer", {"answer": "answer", "detail": "detail", "question": "question", "response": "response"}
        ),
        Relabel(
            "intakequestion",
            {
                "detail_label": "detail label",
                "position": "position",
                "proposes": "proposes",
                "text": "text",
                "version": "version",
            },
        ),
        Relabel(
            "intakeresponse",
            {
                "channel": "channel",
                "kiosk": "kiosk",
                "patient": "patient",
                "submitted_at": "submitted at",
                "submitted_by": "submitted by",
                "version": "version",
            },
        ),
        Relabel("intakeversion", {"created_at": "created at", "created_by": "created by", "number": "number"}),
        Relabel(
            "kiosksession",
            {
                "ended_at": "ended at",
                "expires_at": "expires at",
                "patient": "patient",
                "started_at": "started at",
                "started_by": "started by",
                "token_hash": "token hash",
            },
        ),
        Relabel(
            "patient",
            {
                "assigned_therapist": "assigned therapist",
                "consent_on": "consent on",
                "created_at": "created at",
                "date_of_birth": "date of birth",
                "email": "email",
                "first_name": "first name",
                "last_name": "last name",
                "phone": "phone",
                "updated_at": "updated at",
                "user": "user",
                "calendar_token": "calendar token",
                "search_name": "search name",
                "sort_first_name": "sort first name",
                "sort_last_name": "sort last name",
            },
        ),
        Relabel(
            "phaserecord",
            {
                "diagnosis": "diagnosis",
                "effective_from": "effective from",
                "note": "note",
                "phase": "phase",
                "recorded_at": "recorded at",
                "recorded_by": "recorded by",
            },
        ),
        Relabel(
            "study", {"diagnosis": "diagnosis", "findings": "findings", "kind": "kind", "performed_on": "performed on"}
        ),
    ]
