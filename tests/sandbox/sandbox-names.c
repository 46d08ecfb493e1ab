/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sandbox-names.h"

/* Accents, diaereses and hyphens are deliberate: they are what breaks
 * searching, sorting and PDF text in real life. */
const char * const sandbox_given_female[] = {
  "Hélène", "Élodie", "Zoé", "Anaïs", "Gaëlle", "Bérénice", "Chloé", "Léa",
  "Manon", "Camille", "Inès", "Clémence", "Maëlle", "Noémie", "Océane",
  "Mélanie", "Cécile", "Émilie", "Stéphanie", "Valérie", "Sylvie", "Nathalie",
  "Isabelle", "Françoise", "Geneviève", "Thérèse", "Josiane", "Monique",
  "Jacqueline", "Marie", "Anne-Sophie", "Marie-Claire", "Marie-Thérèse",
  "Anne", "Sophie", "Julie", "Sarah", "Laura", "Pauline", "Lucie", "Juliette",
  "Margaux", "Léonie", "Agathe", "Maïwenn", "Nolwenn", "Solène", "Aurélie",
  "Séverine", "Christèle", "Danièle", "Ghislaine", "Renée", "Andrée",
  "Yvette", "Simone", "Odile", "Brigitte", "Martine", "Chantal", "Fatima",
  "Aïcha", "Yasmine", "Awa", "Fatoumata", "Ana", "Maria", "Inês", "Joëlle",
  "Noëlle", "Raphaëlle", "Héloïse", "Louise", "Jeanne", "Alice", "Rose",
  "Ambre", "Jade", "Anaëlle", "Lénaïg", "Édith", "Églantine", "Félicie",
};
const guint sandbox_n_given_female = G_N_ELEMENTS (sandbox_given_female);

const char * const sandbox_given_male[] = {
  "François", "Jérôme", "Noël", "Loïc", "Éric", "Gaël", "Raphaël", "Joël",
  "Benoît", "Hervé", "Stéphane", "Frédéric", "Sébastien", "Rémi", "Jérémy",
  "Mickaël", "Yannick", "Erwan", "Gwénaël", "Ronan", "Tanguy", "Maël",
  "Théo", "Léo", "Lucas", "Hugo", "Louis", "Gabriel", "Jules", "Arthur",
  "Mathéo", "Timothée", "Clément", "Aurélien", "Valentin", "Maxime",
  "Nicolas", "Julien", "Thomas", "Pierre", "Jean", "Jean-Pierre",
  "Jean-Marc", "Jean-François", "Pierre-Yves", "Marc-Antoine", "Michel",
  "André", "René", "Gérard", "Bernard", "Daniel", "Christian", "Patrick",
  "Philippe", "Alain", "Jacques", "Guy", "Marcel", "Raymond", "Roger",
  "Léon", "Désiré", "Honoré", "Amédée", "Mohamed", "Karim", "Mamadou",
  "Moussa", "João", "Álvaro", "Élie", "Anatole", "Côme", "Aymeric", "Grégoire",
};
const guint sandbox_n_given_male = G_N_ELEMENTS (sandbox_given_male);

const char * const sandbox_family_names[] = {
  "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
  "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel",
  "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
  "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet",
  "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
  "Guérin", "Muller", "Müller", "Henry", "Roussel", "Nicolas", "Perrin",
  "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
  "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer",
  "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy",
  "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour",
  "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt",
  "Leroux", "Colin", "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland",
  "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud",
  "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq", "Lacroix", "Fabre",
  "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis", "Charles",
  "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin",
  "Gonzalez", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier",
  "Julien", "Benoît", "Paris", "Maillard", "Marchal", "Aubry", "Vasseur",
  "Le Roux", "Renault", "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier",
  "Royer", "Huet", "Baron", "Dupuy", "Pons", "Paul", "Laine", "Carré",
  "Breton", "Rémy", "Schneider", "Pereira", "Aubin", "Leblanc", "Barré",
  "Bégué", "Gaël", "Côté", "N'Diaye", "Diallo", "Traoré", "Benali",
  "Haddad", "Le Goff", "Le Bihan", "Le Floc'h", "Kerjean", "Tanguy",
  "Quéméner", "Guégan", "Le Corre", "Jégou", "Hénaff", "Le Berre", "Morvan",
  "Riou", "Cadiou", "Thébault", "Pichon", "Bréhier", "Chauvin", "Génin",
  "Hamon", "Allain", "Lebreton", "Pelé", "Besnard", "Coué", "Ollivier",
  "Delaunay", "Jouan", "Rétif", "Gicquel", "Bézier", "Lévêque", "Frémont",
  "Saint-Martin", "Dubois-Leroy", "Desmarais", "Lemaître", "Bœuf",
  "Dos Santos", "Ferreira", "Rodrigues", "Le Meur", "Mével", "Kerhervé",
};
const guint sandbox_n_family_names = G_N_ELEMENTS (sandbox_family_names);

const char * const sandbox_street_names[] = {
  "rue des Lilas", "rue Crébillon", "boulevard Guist'hau", "rue de la Paix",
  "avenue de la République", "rue Jean-Jaurès", "rue Victor-Hugo",
  "allée des Tilleuls", "chemin du Moulin", "rue de Strasbourg",
  "rue Paul-Bellamy", "quai de la Fosse", "rue des Hauts-Pavés",
  "boulevard des Poilus", "rue du Général-Buat", "avenue de la Libération",
  "rue de la Mairie", "impasse des Églantiers", "rue Émile-Zola",
  "route de Vannes", "rue de l'Étier", "place du Commerce", "rue Mercœur",
  "rue du Château", "avenue des Peupliers", "rue de la Gare",
  "rue Gaston-Turpin", "boulevard Jules-Verne", "rue Félix-Thomas",
  "rue des Écoles",
};
const guint sandbox_n_street_names = G_N_ELEMENTS (sandbox_street_names);

const SandboxCommune sandbox_home_communes[] = {
  { "Nantes", "44000", "44109" },
  { "Nantes", "44100", "44109" },
  { "Nantes", "44300", "44109" },
  { "Rezé", "44400", "44143" },
  { "Saint-Herblain", "44800", "44162" },
  { "Orvault", "44700", "44114" },
  { "Vertou", "44120", "44215" },
  { "Carquefou", "44470", "44026" },
  { "Bouguenais", "44340", "44020" },
  { "La Chapelle-sur-Erdre", "44240", "44035" },
  { "Sainte-Luce-sur-Loire", "44980", "44172" },
  { "Saint-Sébastien-sur-Loire", "44230", "44190" },
  { "Couëron", "44220", "44047" },
  { "Basse-Goulaine", "44115", "44010" },
};
const guint sandbox_n_home_communes = G_N_ELEMENTS (sandbox_home_communes);

/* The first entries are drawn most often (see sandbox-gen.c). */
const SandboxCommune sandbox_birth_communes[] = {
  { "Nantes", "44000", "44109" },
  { "Saint-Nazaire", "44600", "44184" },
  { "Rezé", "44400", "44143" },
  { "Saint-Herblain", "44800", "44162" },
  { "Châteaubriant", "44110", "44036" },
  { "Angers", "49000", "49007" },
  { "Cholet", "49300", "49099" },
  { "Rennes", "35000", "35238" },
  { "Vannes", "56000", "56260" },
  { "Lorient", "56100", "56121" },
  { "Quimper", "29000", "29232" },
  { "Brest", "29200", "29019" },
  { "La Roche-sur-Yon", "85000", "85191" },
  { "Le Mans", "72000", "72181" },
  { "Laval", "53000", "53130" },
  { "Paris 14e Arrondissement", "75014", "75114" },
  { "Paris 12e Arrondissement", "75012", "75112" },
  { "Lyon", "69001", "69123" },
  { "Bordeaux", "33000", "33063" },
  { "Lille", "59000", "59350" },
  { "Ajaccio", "20000", "2A004" },
  { "Bastia", "20200", "2B033" },
  { "Porto-Vecchio", "20137", "2A247" },
  { "Corte", "20250", "2B096" },
  { "Maroc", NULL, "99350" },
  { "Algérie", NULL, "99352" },
  { "Tunisie", NULL, "99351" },
  { "Portugal", NULL, "99139" },
  { "Espagne", NULL, "99134" },
  { "Allemagne", NULL, "99109" },
  { "Sénégal", NULL, "99341" },
  { "Mali", NULL, "99335" },
  { "Viêt Nam", NULL, "99243" },
  { "Royaume-Uni", NULL, "99132" },
};
const guint sandbox_n_birth_communes = G_N_ELEMENTS (sandbox_birth_communes);
