/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescription-editor"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cab-mail-queue-async.h"
#include "cab-prescription-id.h"
#include "cab-prescription-mailbox.h"
#include "cab-prescription-pdf.h"

/* The account's address: the mail user, when it is one (as cabinetctl mail
 * send takes it). */
static const char *
sender (CabSession *session)
{
  const CabConfig *config = session != NULL ? cab_session_get_config (session) : NULL;

  if (config == NULL || config->mail_user == NULL || strchr (config->mail_user, '@') == NULL ||
      config->smtp_url == NULL || *config->smtp_url == '\0')
    return NULL;
  return config->mail_user;
}

char *
cab_prescription_mailbox_unavailable (CabSession       *session,
                                      const CabPatient *patient)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  if (patient == NULL)
    return g_strdup (_("The patient’s record is not read yet."));
  /* The identity first: it is what the doctor can act on for this patient. */
  address = g_strdup_printf ("%s@%s", patient->ins != NULL ? patient->ins : "", CAB_MAIL_PATIENT_DOMAIN);
  if (patient->ins == NULL || !cab_mail_patient_mailbox_allowed (patient, address, &error))
    return g_strdup (error != NULL ? error->message
                                   : _("The patient has no INS: their Mon espace santé mailbox is not known."));
  if (sender (session) == NULL)
    return g_strdup (_("No MSSanté mailbox is set up for sending: add one in Preferences."));
  return NULL;
}

void
cab_prescription_mailbox_send_async (CabSession            *session,
                                     const char            *patient_id,
                                     const CabPatient      *patient,
                                     const CabPrescription *prescription,
                                     const CabPrescriber   *prescriber,
                                     const char            *document_id,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", patient->ins, CAB_MAIL_PATIENT_DOMAIN);
  g_autofree char *date = cab_prescription_format_date_long (prescription->date);
  g_autofree char *number = cab_prescription_id_format (prescription->id);
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  const char *to[] = { address, NULL };
  const char *documents[] = { document_id, NULL };
  CabMailDraft draft = { 0 };

  /* French: a message to a French patient's national mailbox, whatever the
   * language of the doctor's desktop (like the printed copy). */
  subject = g_strdup_printf ("Votre ordonnance du %s", date);
  body = g_strdup_printf ("Bonjour,\n\n"
                          "Vous trouverez ci-joint votre ordonnance du %s (N° %s).\n"
                          "Présentez-la à votre pharmacien avec votre carte Vitale.\n\n"
                          "%s\n",
                          date, number,
                          prescriber != NULL && prescriber->display_name != NULL ? prescriber->display_name : "");
  draft.from = sender (session);
  draft.practitioner = cab_session_get_config (session) != NULL ? cab_session_get_config (session)->practitioner : NULL;
  draft.to = to;
  draft.subject = subject;
  draft.body = body;
  draft.document_ids = documents;
  draft.patient_id = patient_id;
  cab_mail_queue_async (cab_session_get_store (session), cab_session_get_outbox (session), &draft,
                        cancellable, callback, user_data);
}

gboolean
cab_prescription_mailbox_send_finish (GAsyncResult  *result,
                                      gint64        *entry_id,
                                      GError       **error)
{
  return cab_mail_queue_finish (result, entry_id, error);
}
