/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The actions of the local audit trail (docs/architecture.md, principle 5: each access to a record
 * is traced). One name per kind of access, whichever program or widget makes
 * it, so a trace reads the same from the desk and from cabinetctl. Written
 * with cab_store_audit() (cab_store_mark_patient_opened() for PATIENT_OPEN,
 * in its own transaction); ids only, never names or contents. */

/* A document's record read to show it (the desk's document pane, through
 * cab_document_query_read_async()). Resource type: DocumentReference. */
#define CAB_AUDIT_DOCUMENT_READ   "document-read"
/* A document's content copied out of Cabinet (cabinetctl document fetch).
 * Resource type: DocumentReference. */
#define CAB_AUDIT_DOCUMENT_FETCH  "document-fetch"
/* A patient's list of documents read (cabinetctl timeline). Resource type:
 * Patient. */
#define CAB_AUDIT_TIMELINE        "timeline"
/* A patient opened at the desk. Resource type: Patient. */
#define CAB_AUDIT_PATIENT_OPEN    "patient-open"

/* An MSSanté message read whole to show it (the Inbox page's reading pane,
 * through cab_inbox_query_message_async()). Resource type: MailMessage, the
 * id of its row in the store. */
#define CAB_AUDIT_MAIL_READ       "mail-read"

/* Resource types as FHIR names them; MailMessage is the store's own. */
#define CAB_AUDIT_TYPE_DOCUMENT   "DocumentReference"
#define CAB_AUDIT_TYPE_PATIENT    "Patient"
#define CAB_AUDIT_TYPE_MAIL       "MailMessage"
