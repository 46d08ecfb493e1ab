/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CAB_TEST_TOKEN "test-token"

/* A cabinet-sandbox process started for one test, on a free loopback port. */
typedef struct
{
  GSubprocess *process;
  char        *base_url;      /* e.g. http://127.0.0.1:41234/fhir */
  char        *admin_url;     /* e.g. http://127.0.0.1:41234/admin */
  char        *dir;           /* temporary directory (data, certificates) */
  char        *ca_file;       /* PEM of the test CA when started with TLS, else NULL */
  gpointer     session;       /* private: SoupSession of cab_test_sandbox_call */
} CabTestSandbox;

/* Starts $CABINET_SANDBOX with --port 0 --token CAB_TEST_TOKEN --seed 42
 * plus @extra_args (NULL-terminated, may be NULL); with @tls, a test CA and a
 * server certificate for 127.0.0.1/localhost are generated first (openssl) and
 * passed with --tls-cert/--tls-key. Returns once the sandbox printed its URL. */
CabTestSandbox *cab_test_sandbox_start  (const char * const *extra_args,
                                         gboolean            tls,
                                         GError            **error);
/* Stops (SIGTERM, then SIGKILL after 2 s) and removes the directory. */
void            cab_test_sandbox_free   (CabTestSandbox     *sandbox);

/* Blocking HTTP call to the sandbox (for test set-up only, never in app code):
 * @path relative to the server root ("/admin/faults", "/fhir/Patient?_count=1").
 * Returns the body (NUL-terminated) and sets @status. */
char           *cab_test_sandbox_call   (CabTestSandbox     *sandbox,
                                         const char         *method,
                                         const char         *path,
                                         const char         *json_body,
                                         guint              *status,
                                         GError            **error);

/* How many resources the sandbox holds under one identifier: the "total"
 * of GET @resource_path?identifier=@system|@value (a searchset Bundle),
 * e.g. "/fhir/erx/Bundle" for the e-prescription service. Fails the test
 * unless the server answers 200. */
gint64          cab_test_sandbox_count_identifier (CabTestSandbox *sandbox,
                                                   const char     *resource_path,
                                                   const char     *system,
                                                   const char     *value);

/* Like cab_test_sandbox_call with full control, for binary bodies and headers:
 * @headers: NULL-terminated "Name: value" strings (an "Authorization: ..."
 * replaces the default bearer; "Authorization:" with no value sends none).
 * @content_type / @body: request body, or NULL. Returns the response body and
 * sets @status; @response_headers (lower-case name -> value) when non-NULL. */
GBytes         *cab_test_sandbox_request (CabTestSandbox     *sandbox,
                                          const char         *method,
                                          const char         *path,
                                          const char * const *headers,
                                          const char         *content_type,
                                          GBytes             *body,
                                          guint              *status,
                                          GHashTable        **response_headers,
                                          GError            **error);

/* Creates a throwaway CA and a server certificate it signs (127.0.0.1,
 * localhost) in @dir: ca.pem, server.pem, server-key.pem. */
gboolean        cab_test_make_certificates (const char      *dir,
                                            GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabTestSandbox, cab_test_sandbox_free)

G_END_DECLS
