/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A deliberately broken FHIR server on loopback, for the tests of
 * docs/architecture.md's "Rules for hostile input". Each mode is one
 * behaviour a real server, broken or hostile, could show. Raw HTTP/1.1 on a
 * thread per connection (GThreadedSocketService), so that it can send
 * headers a byte at a time; every connection is closed after one answer.
 * Every loop is bounded: a drip stops after CAB_HOSTILE_MAX_DRIP bytes, an
 * endless body after CAB_HOSTILE_MAX_ENDLESS bytes. */

#define CAB_HOSTILE_MAX_DRIP     600
#define CAB_HOSTILE_MAX_ENDLESS  (64 * 1024 * 1024)

typedef enum
{
  CAB_HOSTILE_NORMAL,        /* small, correct answers (Bundle of one Patient, DocumentReference, Binary) */
  CAB_HOSTILE_SLOW_HEADERS,  /* the status line and headers, one byte per drip interval */
  CAB_HOSTILE_SLOW_BODY,     /* headers at once, then the body one byte per drip interval */
  CAB_HOSTILE_NEXT_SELF,     /* the Patient search's next link is the page just asked for */
  CAB_HOSTILE_NEXT_ENDLESS,  /* the PractitionerRole search links to a new next page, forever */
  CAB_HOSTILE_ENDLESS_BINARY,/* a DocumentReference without size; its Binary never ends */
  CAB_HOSTILE_NUL_ID,        /* a Patient whose id is "pat-1\u0000evil" */
  CAB_HOSTILE_DOTDOT_URL,    /* a DocumentReference whose attachment is "../../../../etc/passwd" */
  CAB_HOSTILE_DUPLICATE_INS, /* two Patients with the same qualified INS */
} CabHostileMode;

typedef struct _CabHostileServer CabHostileServer;

/* @cert: server certificate (with its key) for HTTPS, or NULL for HTTP. */
CabHostileServer *cab_hostile_server_new        (GTlsCertificate   *cert,
                                                 GError           **error);
void              cab_hostile_server_free       (CabHostileServer  *server);
/* "http://127.0.0.1:PORT/fhir" (https with a certificate). */
const char       *cab_hostile_server_get_base   (CabHostileServer  *server);
void              cab_hostile_server_set_mode   (CabHostileServer  *server,
                                                 CabHostileMode     mode);
/* Delay between two bytes of a drip (default 200 ms). */
void              cab_hostile_server_set_drip_ms (CabHostileServer *server,
                                                 guint              drip_ms);
/* Requests answered since the last reset, how many carried a bearer token,
 * and the request paths (with queries), oldest first. */
guint             cab_hostile_server_get_n_requests (CabHostileServer *server);
guint             cab_hostile_server_get_n_tokens   (CabHostileServer *server);
/* Newly allocated, NULL-terminated. */
char            **cab_hostile_server_get_paths      (CabHostileServer *server);
void              cab_hostile_server_reset          (CabHostileServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabHostileServer, cab_hostile_server_free)

G_END_DECLS
