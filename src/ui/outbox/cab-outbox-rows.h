/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-mail-drafts.h"
#include "cab-outbox-item.h"

G_BEGIN_DECLS

#define CAB_TYPE_OUTBOX_ROWS (cab_outbox_rows_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxRows, cab_outbox_rows, CAB, OUTBOX_ROWS, GObject)

/*
 * CabOutboxRows: what the Outbox page's list view shows, one GListModel of
 * GObjects in order: the drafts, then the entries that need the user
 * (failed, conflict), those waiting (pending, sending, held) and those sent
 * lately (done, cancelled). The groups' headings are no objects of the
 * list: cab_outbox_rows_get_heading() says which object starts a group,
 * and the page shows its heading as the list box row's header, so the
 * list box's rows are only drafts and entries, each reached by the focus
 * and none a disabled row for screen readers (docs/architecture.md, "The
 * Outbox page while it drains").
 * Drafts are CabOutboxDraftItem, entries CabOutboxEntryItem: one object
 * an entry for as long as it is listed, holding core's CabOutboxItem
 * shown for it and notifying "item" when it changes, so its row updates
 * in place rather than being built again.
 *
 * Each change of the list is an items-changed of one object, so a list
 * view builds a row only for an object new to it; an entry whose new
 * state is of another group moves (removed, inserted). When gradual, a
 * change of the entries shows none of them: cab_outbox_rows_step() shows
 * the next few, and the page steps every few frames, so a drain that
 * changed 30 entries since the last read costs a few rows a step rather
 * than one frame 30 rows, and a step's rows one layout of the window
 * (docs/architecture.md, "The Outbox page while it drains"). Entries gone
 * leave at the next step; drafts and a first fill show at once.
 *
 * Property "n-pending" (uint): entries not shown as the model says yet.
 * The counts (cab_outbox_rows_count ()) are the rows', kept where a row
 * changes: reading them walks nothing.
 */

#define CAB_TYPE_OUTBOX_DRAFT_ITEM (cab_outbox_draft_item_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxDraftItem, cab_outbox_draft_item, CAB, OUTBOX_DRAFT_ITEM, GObject)

const CabMailDraftRecord *cab_outbox_draft_item_get_record (CabOutboxDraftItem *self);

#define CAB_TYPE_OUTBOX_ENTRY_ITEM (cab_outbox_entry_item_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxEntryItem, cab_outbox_entry_item, CAB, OUTBOX_ENTRY_ITEM, GObject)

/* The item shown for the entry now (property "item", notified). */
CabOutboxItem *cab_outbox_entry_item_get_item (CabOutboxEntryItem *self);

CabOutboxRows *cab_outbox_rows_new         (void);
/* @entries: a GListModel of CabOutboxItem (core's CabOutboxModel), or NULL. */
void           cab_outbox_rows_set_entries (CabOutboxRows *self,
                                            GListModel    *entries);
/* @drafts: CabMailDraftRecord (copied); an unchanged draft keeps its item. */
void           cab_outbox_rows_set_drafts  (CabOutboxRows *self,
                                            GPtrArray     *drafts);
/* Draft @index (0: the first listed), or NULL. */
const CabMailDraftRecord *cab_outbox_rows_get_draft (CabOutboxRows *self,
                                                     guint          index);
/* Gradual (the page is on screen) or all at once (not gradual). */
void           cab_outbox_rows_set_gradual (CabOutboxRows *self,
                                            gboolean       gradual);
guint          cab_outbox_rows_get_n_pending (CabOutboxRows *self);
/* Shows up to @max more entries as the model says. */
void           cab_outbox_rows_step        (CabOutboxRows *self,
                                            guint          max);
/* Entries shown in @state (their shown item's), and shown read. */
guint          cab_outbox_rows_count       (CabOutboxRows  *self,
                                            CabOutboxState  state);
guint          cab_outbox_rows_get_n_read  (CabOutboxRows *self);
/* The heading above the object at @position, translated now: its group's
 * when it starts the group, else NULL. An entry's heading may change in
 * place, without items-changed: when its new state is of the next or the
 * previous group and its place stays the same (the last waiting entry
 * sent), only its "notify::item" says so. */
const char    *cab_outbox_rows_get_heading (CabOutboxRows *self,
                                            guint          position);

G_END_DECLS
