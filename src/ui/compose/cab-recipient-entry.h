/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-directory.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_RECIPIENT_ENTRY (cab_recipient_entry_get_type ())
G_DECLARE_FINAL_TYPE (CabRecipientEntry, cab_recipient_entry, CAB, RECIPIENT_ENTRY, GtkWidget)

/* The composer's "To" field: one chip per recipient, a text field that
 * completes from the practice's correspondents and the directory cache
 * (cab-correspondents.h, on core's reader pool) and turns what is typed
 * into a chip on Enter, comma, semicolon or leaving the field. A chip whose
 * address is not an MSSanté one (*.mssante.fr) is marked; the composer says
 * why under the field. "changed" is emitted when the list changes. */

/* Whether @address may be added; NULL when it may, else why not (shown). */
typedef char *(*CabRecipientCheck) (const char *address,
                                    gpointer    user_data);

GtkWidget  *cab_recipient_entry_new             (void);
void        cab_recipient_entry_set_store       (CabRecipientEntry *self,
                                                 CabStore          *store);
/* The national health directory (may be NULL): when the offline answer
 * is short, one debounced, cancellable online search, then the offline
 * search again. */
void        cab_recipient_entry_set_directory   (CabRecipientEntry *self,
                                                 CabDirectory      *directory);
void        cab_recipient_entry_set_check       (CabRecipientEntry *self,
                                                 CabRecipientCheck  check,
                                                 gpointer           user_data);
/* FALSE (and the reason shown under the field) when refused or invalid. */
gboolean    cab_recipient_entry_add             (CabRecipientEntry *self,
                                                 const char        *address,
                                                 const char        *display_name);
void        cab_recipient_entry_remove          (CabRecipientEntry *self,
                                                 const char        *address);
gboolean    cab_recipient_entry_contains        (CabRecipientEntry *self,
                                                 const char        *address);
/* NULL-terminated, in the order added. */
char      **cab_recipient_entry_dup_addresses   (CabRecipientEntry *self);
/* Beside them: each one's name as picked ("" none); only shown. */
char      **cab_recipient_entry_dup_names       (CabRecipientEntry *self);
/* Addresses not in the MSSanté space, NULL-terminated (maybe empty). */
char      **cab_recipient_entry_dup_outside     (CabRecipientEntry *self);
/* Turns the text typed, if any, into a chip. FALSE when it is refused. */
gboolean    cab_recipient_entry_commit_text     (CabRecipientEntry *self);
/* The error shown under the field, or NULL. */
const char *cab_recipient_entry_get_error       (CabRecipientEntry *self);

/* Tests: the text field, the suggestions shown (addresses, in order; NULL
 * when none are) and the text they answer. */
GtkEditable *cab_recipient_entry_get_text_field   (CabRecipientEntry *self);
char       **cab_recipient_entry_dup_suggestions  (CabRecipientEntry *self);
const char  *cab_recipient_entry_get_answered_text (CabRecipientEntry *self);
/* Chooses suggestion @index as Enter would. */
gboolean     cab_recipient_entry_choose_suggestion (CabRecipientEntry *self,
                                                    guint              index);

/* "x@y.mssante.fr", "x@mssante.fr": inside the MSSanté space. */
gboolean     cab_recipient_is_mssante              (const char *address);

G_END_DECLS
