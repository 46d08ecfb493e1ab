/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox-text"

#include <string.h>

#include "sandbox-gen-text.h"

/* Placeholders: {P} the patient ("Mme Rodriguez"), {AGE}, {R} the reason,
 * {E} an "e" for feminine agreement, {IL} il/elle, {ILC} Il/Elle, {N} a small number,
 * {SBP}/{DBP}/{HR} vital signs, {FEVG}, {BNP}, {CREA}, {MIN}. */

static const char * const motive[] = {
  "{P} consulte pour une toux sèche évoluant depuis une dizaine de jours, sans fièvre.",
  "Renouvellement d'ordonnance et point sur le suivi au long cours.",
  "Lombalgies mécaniques depuis une semaine, sans irradiation ni déficit.",
  "Asthénie depuis un mois, sommeil de mauvaise qualité, pas de perte de poids.",
  "Bilan annuel et mise à jour des vaccinations.",
  "Contrôle tensionnel après modification du traitement antihypertenseur.",
  "Consultation de suivi : {IL} se dit en bonne forme et n'a pas de plainte particulière.",
  "Rhinopharyngite depuis trois jours avec fébricule à 38,2 °C.",
  "Douleurs de l'épaule droite à la mobilisation depuis deux semaines.",
  "Vertiges positionnels brefs au lever, sans chute.",
  "Résultats du bilan biologique récent à commenter.",
  "Gêne respiratoire à l'effort, surtout en montée d'escaliers.",
};

static const char * const exam[] = {
  "Examen clinique sans particularité.",
  "Auscultation cardiopulmonaire normale, pas de souffle, murmure vésiculaire symétrique.",
  "Abdomen souple, dépressible et indolore, pas d'hépatosplénomégalie.",
  "Pas d'œdème des membres inférieurs, mollets souples et indolores.",
  "Pouls périphériques perçus et symétriques.",
  "Examen neurologique sommaire normal, pas de déficit sensitivomoteur.",
  "Pression artérielle à {SBP}/{DBP} mmHg aux deux bras, fréquence cardiaque à {HR} battements par minute.",
  "Poids stable par rapport à la précédente consultation.",
  "Tympans normaux, gorge non inflammatoire, pas d'adénopathie cervicale.",
  "Examen des pieds : pas de plaie ni d'hyperkératose, sensibilité au monofilament conservée.",
  "Saturation en air ambiant à 97 %, fréquence respiratoire à 16 par minute.",
  "Rachis souple, manœuvre de Lasègue négative des deux côtés.",
};

static const char * const conclusion[] = {
  "Évolution favorable, état clinique stable.",
  "Équilibre satisfaisant sous traitement, pas de modification thérapeutique.",
  "Tableau compatible avec une infection virale des voies aériennes supérieures.",
  "Lombalgie commune sans signe de gravité.",
  "Objectifs thérapeutiques partiellement atteints : renforcement des mesures hygiéno-diététiques.",
  "Pas d'élément en faveur d'une pathologie organique à ce stade.",
  "Bonne observance déclarée, tolérance correcte du traitement.",
};

static const char * const plan[] = {
  "Poursuite du traitement habituel.",
  "Bilan biologique de contrôle dans trois mois.",
  "Revoir en consultation dans trois mois, plus tôt si besoin.",
  "Conseils hygiéno-diététiques : activité physique régulière, alimentation équilibrée, réduction des apports en sel.",
  "Arrêt du tabac recommandé, accompagnement proposé avec substituts nicotiniques.",
  "Consulter en urgence en cas de douleur thoracique, de dyspnée ou de fièvre persistante.",
  "Rendez-vous pris avec le spécialiste ; courrier remis au patient.",
  "Auto-mesure tensionnelle à domicile selon la règle des trois : trois mesures le matin, trois le soir, trois jours de suite.",
};

static const char * const history[] = {
  "Les symptômes ont débuté il y a environ {N} jours, avec une aggravation progressive.",
  "Pas de notion de voyage récent ni de contage infectieux.",
  "À l'arrivée, les constantes étaient les suivantes : pression artérielle {SBP}/{DBP} mmHg, fréquence cardiaque {HR} par minute, apyrexie.",
  "{ILC} vit à domicile avec son conjoint, autonome pour les actes de la vie quotidienne.",
  "Le traitement habituel était bien suivi selon l'entourage.",
  "On note une prise de poids de {N} kg en une semaine associée à une majoration des œdèmes.",
};

static const char * const history_intro[] = {
  "{P}, {AGE} ans, est adressé{E} par son médecin traitant pour {R}.",
  "{P}, {AGE} ans, est admis{E} par les urgences pour {R}.",
};

static const char * const evolution[] = {
  "Patient{E} apyrétique, hémodynamique stable, bonne tolérance du traitement.",
  "Amélioration clinique nette, diminution de la dyspnée, reprise de l'alimentation.",
  "Adaptation du traitement diurétique au vu de la fonction rénale et de la kaliémie.",
  "Mobilisation au fauteuil avec le kinésithérapeute, pas de douleur.",
  "Bilan biologique de contrôle rassurant, CRP en diminution à {N} mg/L.",
  "Épisode de désaturation nocturne résolutif sous oxygénothérapie à 2 L/min.",
  "Réévaluation de l'antibiothérapie, relais per os envisagé.",
  "Éducation thérapeutique réalisée par l'infirmière : surveillance du poids, régime peu salé.",
  "Avis diététique : régime adapté, enrichissement protéique.",
  "Glycémies capillaires entre 1,20 et 1,80 g/L, ajustement des doses d'insuline.",
  "Sommeil de bonne qualité, moral correct, entourage présent.",
  "Pansement propre, cicatrices sans écoulement.",
  "Diurèse conservée, bilan entrées-sorties équilibré.",
  "Marche dans le couloir avec aide technique, pas de chute.",
};

static const char * const investigations[] = {
  "ECG : rythme sinusal régulier à {HR} par minute, pas de trouble de la repolarisation.",
  "Radiographie thoracique : pas de foyer parenchymateux, pas d'épanchement pleural.",
  "Échographie cardiaque transthoracique : fraction d'éjection ventriculaire gauche estimée à {FEVG} %.",
  "Biologie d'entrée : NT-proBNP à {BNP} pg/mL, créatininémie à {CREA} µmol/L.",
  "Gaz du sang en air ambiant : pH 7,41, PaCO2 42 mmHg, PaO2 68 mmHg.",
  "Hémocultures stériles à 48 heures.",
  "Échographie-doppler veineuse des membres inférieurs : pas de thrombose.",
};

static const char * const img_cr[] = {
  "Pas d'anomalie osseuse décelable.",
  "Parenchyme pulmonaire sans opacité suspecte.",
  "Silhouette cardiaque de taille normale, médiastin non élargi.",
  "Culs-de-sac pleuraux libres.",
  "Discopathie L4-L5 et L5-S1 avec pincement discal modéré et ostéophytose antérieure.",
  "Pas de trait de fracture visible ; à contrôler à J10 si la douleur persiste.",
};

static const char * const img_us[] = {
  "Foie de taille normale, d'échostructure homogène, sans lésion focale.",
  "Vésicule biliaire alithiasique, à paroi fine.",
  "Voies biliaires intra- et extra-hépatiques non dilatées.",
  "Reins de taille normale, bonne différenciation cortico-médullaire.",
  "Pas de dilatation des cavités pyélocalicielles.",
  "Thyroïde de volume normal, sans nodule individualisé.",
  "Pas de plaque athéromateuse significative, flux carotidiens normaux.",
};

static const char * const img_ct[] = {
  "Absence de lésion focale suspecte.",
  "Pas d'adénomégalie médiastinale ni rétropéritonéale.",
  "Pas d'épanchement intra-abdominal.",
  "Micronodule pulmonaire apical droit de 4 mm, non spécifique.",
  "Diverticulose sigmoïdienne non compliquée.",
  "Structures osseuses sans lésion d'allure agressive.",
};

static const char * const img_mr[] = {
  "Fissure horizontale de la corne postérieure du ménisque interne.",
  "Ligaments croisés d'aspect normal.",
  "Épanchement intra-articulaire de faible abondance.",
  "Pas d'anomalie de signal du parenchyme cérébral.",
  "Système ventriculaire de taille normale, sans effet de masse.",
  "Quelques hypersignaux de la substance blanche d'allure vasculaire, banals pour l'âge.",
};

static const char * const img_mg[] = {
  "Seins de densité de type B.",
  "Absence de masse, de distorsion architecturale ou de microcalcification suspecte.",
  "Échographie complémentaire : pas d'image kystique ni tissulaire suspecte.",
  "Pas d'adénopathie axillaire.",
};

static const char * const img_conclusion[] = {
  "Examen sans anomalie significative.",
  "Pas d'argument pour une pathologie évolutive.",
  "Aspect compatible avec le contexte clinique ; à confronter aux données de l'examen.",
  "Pas de modification par rapport à l'examen antérieur.",
};

static const char * const operative[] = {
  "Installation en décubitus dorsal, anesthésie générale avec intubation orotrachéale.",
  "Open cœlioscopie ombilicale, insufflation à 12 mmHg, mise en place de trois trocarts opérateurs.",
  "Vésicule inflammatoire, adhérences épiploïques libérées aux ciseaux.",
  "Dissection du triangle de Calot, identification formelle du canal cystique et de l'artère cystique.",
  "Pose de clips et section, cholécystectomie rétrograde, hémostase du lit vésiculaire.",
  "Extraction de la pièce dans un sac, exsufflation, fermeture aponévrotique ombilicale.",
  "Pas de drainage. Durée opératoire : {MIN} minutes. Pièce adressée en anatomopathologie.",
};

static const char * const postop[] = {
  "Suites opératoires simples, reprise alimentaire à J1.",
  "Antalgiques de palier 1 et 2 à la demande.",
  "Soins de pansements par infirmier à domicile tous les deux jours, ablation des fils à J10.",
  "Consultation de contrôle avec le chirurgien dans un mois.",
  "Arrêt de travail de quinze jours.",
};

static const char * const lab_comment[] = {
  "Résultats validés biologiquement.",
  "Valeurs à interpréter en fonction du contexte clinique et du traitement en cours.",
  "HbA1c dosée par chromatographie liquide haute performance, méthode certifiée IFCC.",
  "Débit de filtration glomérulaire estimé selon l'équation CKD-EPI 2021, sans correction ethnique.",
  "Prélèvement effectué à jeun depuis 12 heures.",
};

static const char * const er_care[] = {
  "Antalgiques de palier 1 avec bonne efficacité, EVA passée de 7 à 2.",
  "Radiographie réalisée : pas de lésion osseuse.",
  "Surveillance de quatre heures aux urgences sans récidive.",
  "Bilan biologique sans anomalie notable, troponine négative à deux reprises.",
  "Retour à domicile avec consignes de surveillance écrites.",
  "Contrôle par le médecin traitant dans les 48 heures.",
};

static const char * const specialist[] = {
  "Je revois ce jour en consultation {P}, {AGE} ans, pour le suivi de {R}.",
  "La tolérance du traitement est bonne, sans effet indésirable rapporté.",
  "Les derniers résultats biologiques sont globalement stables.",
  "L'examen clinique ne retrouve pas d'élément nouveau.",
  "Je propose de poursuivre la même stratégie thérapeutique.",
  "Nous avons repris ensemble les objectifs de suivi et les signes qui doivent conduire à consulter.",
  "Je reverrai {P} dans un an, ou plus tôt en cas d'évolution défavorable.",
};

static const char * const discharge[] = {
  "Hospitalisation pour {R}, d'évolution favorable sous traitement adapté.",
  "Le séjour a été marqué par une bonne récupération fonctionnelle.",
  "Aucune complication n'est survenue durant l'hospitalisation.",
  "Les modifications thérapeutiques ont été expliquées au patient et à son entourage.",
  "Retour à domicile organisé avec passage infirmier quotidien pendant une semaine.",
};

static const char * const follow_up[] = {
  "Consultation avec le médecin traitant dans les sept jours suivant la sortie.",
  "Bilan biologique (ionogramme, créatininémie) à réaliser sous huit jours.",
  "Rendez-vous de consultation dans le service dans six semaines.",
  "Pesée quotidienne ; consulter en cas de prise de plus de 2 kg en trois jours.",
  "Kinésithérapie de reprise à la marche, vingt séances.",
};

static const char * const lifestyle[] = {
  "Non-fumeur, pas de consommation d'alcool déclarée.",
  "Tabagisme sevré depuis plus de dix ans.",
  "Activité physique : marche trente minutes par jour.",
  "Vit en couple, deux enfants, retraité{E} de l'enseignement.",
  "Aidant familial présent, pas d'aide à domicile.",
};

typedef struct
{
  const char * const *items;
  guint               n;
} Bank;

#define BANK(a) { a, G_N_ELEMENTS (a) }

static const Bank banks[N_TEXT_BANKS] = {
  [TEXT_MOTIVE]         = BANK (motive),
  [TEXT_EXAM]           = BANK (exam),
  [TEXT_CONCLUSION]     = BANK (conclusion),
  [TEXT_PLAN]           = BANK (plan),
  [TEXT_HISTORY_INTRO]  = BANK (history_intro),
  [TEXT_HISTORY]        = BANK (history),
  [TEXT_EVOLUTION]      = BANK (evolution),
  [TEXT_INVESTIGATIONS] = BANK (investigations),
  [TEXT_IMG_CR]         = BANK (img_cr),
  [TEXT_IMG_US]         = BANK (img_us),
  [TEXT_IMG_CT]         = BANK (img_ct),
  [TEXT_IMG_MR]         = BANK (img_mr),
  [TEXT_IMG_MG]         = BANK (img_mg),
  [TEXT_IMG_CONCLUSION] = BANK (img_conclusion),
  [TEXT_OPERATIVE]      = BANK (operative),
  [TEXT_POSTOP]         = BANK (postop),
  [TEXT_LAB_COMMENT]    = BANK (lab_comment),
  [TEXT_ER_CARE]        = BANK (er_care),
  [TEXT_SPECIALIST]     = BANK (specialist),
  [TEXT_DISCHARGE]      = BANK (discharge),
  [TEXT_FOLLOW_UP]      = BANK (follow_up),
  [TEXT_LIFESTYLE]      = BANK (lifestyle),
};

/* "Chute à domicile" reads "chute à domicile" inside a sentence. */
static void
append_lower_first (GString    *out,
                    const char *text)
{
  gunichar c = g_utf8_get_char (text);

  g_string_append_unichar (out, g_unichar_tolower (c));
  g_string_append (out, g_utf8_next_char (text));
}

static void
append_expanded (GString               *out,
                 GRand                 *rand,
                 const char            *template,
                 const SandboxTextVars *vars)
{
  const char *p = template;

  while (*p != '\0')
    {
      const char *open = strchr (p, '{'), *close;
      g_autofree char *name = NULL;

      if (open == NULL || (close = strchr (open, '}')) == NULL)
        {
          g_string_append (out, p);
          return;
        }
      g_string_append_len (out, p, open - p);
      name = g_strndup (open + 1, close - open - 1);
      if (g_str_equal (name, "P"))
        g_string_append (out, vars->patient);
      else if (g_str_equal (name, "AGE"))
        g_string_append_printf (out, "%d", vars->age);
      else if (g_str_equal (name, "R"))
        append_lower_first (out, vars->reason ? vars->reason : "le suivi de ses pathologies chroniques");
      else if (g_str_equal (name, "E"))
        g_string_append (out, vars->female ? "e" : "");
      else if (g_str_equal (name, "IL"))
        g_string_append (out, vars->female ? "elle" : "il");
      else if (g_str_equal (name, "ILC"))
        g_string_append (out, vars->female ? "Elle" : "Il");
      else if (g_str_equal (name, "N"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 2, 15));
      else if (g_str_equal (name, "SBP"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 112, 158));
      else if (g_str_equal (name, "DBP"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 64, 92));
      else if (g_str_equal (name, "HR"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 58, 96));
      else if (g_str_equal (name, "FEVG"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 30, 65));
      else if (g_str_equal (name, "BNP"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 150, 4800));
      else if (g_str_equal (name, "CREA"))
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 60, 190));
      else if (g_str_equal (name, "MIN"))
        g_string_append_printf (out, "%d", 5 * g_rand_int_range (rand, 9, 25));
      p = close + 1;
    }
}

char *
sandbox_text_sentence (GRand                 *rand,
                       SandboxTextBank        bank,
                       const SandboxTextVars *vars)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (bank < N_TEXT_BANKS, NULL);
  append_expanded (out, rand, banks[bank].items[g_rand_int_range (rand, 0, banks[bank].n)], vars);
  return g_string_free (out, FALSE);
}

char *
sandbox_text_all (GRand                 *rand,
                  SandboxTextBank        bank,
                  const SandboxTextVars *vars)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (bank < N_TEXT_BANKS, NULL);
  for (guint i = 0; i < banks[bank].n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      append_expanded (out, rand, banks[bank].items[i], vars);
    }
  return g_string_free (out, FALSE);
}

char *
sandbox_text_paragraph (GRand                 *rand,
                        SandboxTextBank        bank,
                        guint                  n_sentences,
                        const SandboxTextVars *vars)
{
  GString *out = g_string_new (NULL);
  guint order[32];
  guint n = banks[bank].n;

  g_return_val_if_fail (bank < N_TEXT_BANKS, NULL);
  g_assert (n <= G_N_ELEMENTS (order));
  /* Distinct sentences (a partial shuffle) until the bank runs out. */
  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = 0; i < n_sentences; i++)
    {
      guint slot = i % n, pick;

      if (slot == 0 && i > 0)
        for (guint j = 0; j < n; j++)
          order[j] = j;
      pick = slot + g_rand_int_range (rand, 0, n - slot);
      {
        guint tmp = order[slot];
        order[slot] = order[pick];
        order[pick] = tmp;
      }
      if (i > 0)
        g_string_append_c (out, ' ');
      append_expanded (out, rand, banks[bank].items[order[slot]], vars);
    }
  return g_string_free (out, FALSE);
}
