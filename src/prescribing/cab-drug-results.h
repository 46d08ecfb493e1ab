/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-drug-db.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* One place in a search's results: a small GObject over the CabDrug the
 * query read for it. The model reuses its items from one answer to the
 * next (so a list view keeps its rows): "drug" (a pointer, read-only) is
 * notified when the place shows another answer's medicine. */
#define CAB_TYPE_DRUG_ITEM (cab_drug_item_get_type ())
G_DECLARE_FINAL_TYPE (CabDrugItem, cab_drug_item, CAB, DRUG_ITEM, GObject)

const CabDrug *cab_drug_item_get_drug (CabDrugItem *self);

/*
 * CabDrugResults: the drug search as you type, a GListModel of CabDrugItem
 * (docs/architecture.md, "Models"). Inputs: "store", "text"; each change of
 * the text supersedes the query still running (cab_query_supersede()), so
 * only the answer to the latest text lands: in the items already there,
 * and items added or removed at the end when the count changes. "loading" is TRUE
 * from a change until its answer; "loaded" is emitted after each answer.
 * Commercialised medicines first, as cab_drug_db_search() orders them.
 */
#define CAB_TYPE_DRUG_RESULTS (cab_drug_results_get_type ())
G_DECLARE_FINAL_TYPE (CabDrugResults, cab_drug_results, CAB, DRUG_RESULTS, GObject)

/* Enough to choose from at each keystroke. */
#define CAB_DRUG_RESULTS_LIMIT 20
/* Longer is a paste of something else, not a medicine's name. */
#define CAB_DRUG_RESULTS_MAX_TEXT 100

CabDrugResults *cab_drug_results_new         (void);
void            cab_drug_results_set_store   (CabDrugResults *self,
                                              CabStore       *store);
void            cab_drug_results_set_text    (CabDrugResults *self,
                                              const char     *text);
const char     *cab_drug_results_get_text    (CabDrugResults *self);
gboolean        cab_drug_results_get_loading (CabDrugResults *self);
/* The text of the last answer that landed, and its error (NULL: none). */
const char     *cab_drug_results_get_answered_text (CabDrugResults *self);
const GError   *cab_drug_results_get_error   (CabDrugResults *self);
guint           cab_drug_results_get_n_loaded (CabDrugResults *self);

G_END_DECLS
