/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Draws the PDF a recipe from sandbox_gen_practice() describes (letterhead,
 * patient block with INS, sections, lab tables; 1 to 30 pages). Deterministic:
 * the same recipe gives the same bytes (no creation date in the file).
 * Thread-safe: may run on several threads at once. */
GBytes *sandbox_pdf_render (JsonObject  *recipe,
                            GError     **error);

G_END_DECLS
