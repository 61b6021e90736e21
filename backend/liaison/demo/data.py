"""The demo's reference data: the 46 contributing countries and the real Paris 2024 sites."""

from __future__ import annotations

# code, languages (most common first), Faker locale for names (None: lists below), relative delegation size
COUNTRIES: list[tuple[str, list[str], str | None, int]] = [
    ("DE", ["de"], "de_DE", 9), ("GB", ["en"], "en_GB", 8), ("IT", ["it"], "it_IT", 8), ("PL", ["pl"], "pl_PL", 6),
    ("US", ["en", "es"], "en_US", 7), ("IL", ["he", "ar", "en"], "he_IL", 3), ("ES", ["es"], "es_ES", 8),
    ("BE", ["nl", "fr", "de"], "nl_BE", 6), ("NL", ["nl"], "nl_NL", 5), ("PT", ["pt"], "pt_PT", 5),
    ("CH", ["de", "fr", "it"], "de_CH", 4), ("AT", ["de"], "de_AT", 3), ("LU", ["lb", "fr", "de"], "lb_LU", 2),
    ("IE", ["en", "ga"], "en_IE", 2), ("DK", ["da"], "da_DK", 2), ("SE", ["sv"], "sv_SE", 2), ("NO", ["nb"], "no_NO", 2),
    ("FI", ["fi", "sv"], "fi_FI", 2), ("CZ", ["cs"], "cs_CZ", 2), ("SK", ["sk"], "sk_SK", 1), ("HU", ["hu"], "hu_HU", 2),
    ("RO", ["ro"], "ro_RO", 3), ("BG", ["bg"], "bg_BG", 1), ("GR", ["el"], "el_GR", 2), ("HR", ["hr"], "hr_HR", 1),
    ("SI", ["sl"], "sl_SI", 1), ("EE", ["et"], "et_EE", 1), ("LV", ["lv"], "lv_LV", 1), ("LT", ["lt"], "lt_LT", 1),
    ("CY", ["el", "tr"], "el_CY", 1), ("MT", ["mt", "en"], "mt_MT", 1), ("CA", ["en", "fr"], "en_CA", 3),
    ("BR", ["pt-BR"], "pt_BR", 3), ("MX", ["es-MX"], "es_MX", 2), ("AR", ["es"], "es_AR", 1), ("JP", ["ja"], "ja_JP", 2),
    ("KR", ["ko"], "ko_KR", 2), ("AU", ["en"], "en_AU", 2), ("MA", ["ar", "fr"], None, 3), ("TN", ["ar", "fr"], None, 1),
    ("SN", ["fr", "wo"], None, 1), ("QA", ["ar", "en"], "ar_AA", 2), ("AE", ["ar", "en"], "ar_AE", 1),
    ("SA", ["ar"], "ar_SA", 1), ("UA", ["uk"], "uk_UA", 2), ("CI", ["fr"], None, 1),
]

# Names as they appear on these countries' accreditations (Latin script, French transliteration).
HANDWRITTEN_NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "MA": (
        ["Youssef", "Mohammed", "Hamza", "Omar", "Mehdi", "Anas", "Soufiane", "Rachid"],
        ["Fatima-Zahra", "Salma", "Khadija", "Imane", "Meryem", "Houda", "Nadia", "Sanaa"],
        ["El Amrani", "Benali", "Alaoui", "Bennani", "Tazi", "El Idrissi", "Berrada", "Chraibi", "Ouazzani", "Fassi"],
    ),
    "TN": (
        ["Mohamed", "Ahmed", "Aymen", "Wassim", "Bilel", "Karim", "Skander"],
        ["Amira", "Ines", "Rania", "Sarra", "Olfa", "Nour"],
        ["Ben Salah", "Trabelsi", "Jebali", "Gharbi", "Mejri", "Ben Ammar", "Hammami", "Chaabane"],
    ),
    "SN": (
        ["Mamadou", "Cheikh", "Ousmane", "Abdoulaye", "Ibrahima", "Moussa", "Modou"],
        ["Aminata", "Fatou", "Awa", "Mariama", "Khady", "Ndeye", "Coumba"],
        ["Diop", "Ndiaye", "Fall", "Sow", "Sarr", "Diallo", "Mbaye", "Faye", "Gueye", "Cissé"],
    ),
    "CI": (
        ["Kouassi", "Yao", "Koffi", "Konan", "Serge", "Didier", "Arsène"],
        ["Adjoua", "Aya", "Affoué", "Akissi", "Mariam", "Christelle"],
        ["Kouamé", "Koné", "Ouattara", "Traoré", "Bamba", "N'Guessan", "Yao", "Coulibaly", "Touré"],
    ),
}

RANKS = ["Constable", "Sergeant", "Inspector", "Chief Inspector", "Lieutenant", "Captain", "Superintendent"]
RANK_WEIGHTS = [30, 25, 20, 10, 8, 5, 2]

# slug, name, kind, address, city, latitude, longitude, meeting point, sports
VENUES: list[tuple[str, str, str, str, str, float, float, str, list[str]]] = [
    ("stade-de-france", "Stade de France", "competition", "ZAC du Cornillon Nord", "Saint-Denis", 48.92442, 2.36020,
     "Porte X – poste de commandement police, parvis nord", ["athletics", "rugby sevens"]),
    ("aquatics-centre", "Paris Aquatics Centre", "competition", "1 rue Francis de Pressensé", "Saint-Denis", 48.92130,
     2.35700, "Entrée accréditations, passerelle Pleyel", ["diving", "artistic swimming", "water polo"]),
    ("la-defense-arena", "Paris La Défense Arena", "competition", "99 Jardins de l'Arche", "Nanterre", 48.89570, 2.22950,
     "Parvis de l'Arche, tente sécurité", ["swimming", "water polo"]),
    ("parc-des-princes", "Parc des Princes", "competition", "24 rue du Commandant Guilbaud", "Paris", 48.84140, 2.25300,
     "Porte D, PC sécurité", ["football"]),
    ("roland-garros", "Stade Roland-Garros", "competition", "2 avenue Gordon Bennett", "Paris", 48.84700, 2.24970,
     "Porte Auteuil, point police", ["tennis", "boxing"]),
    ("bercy-arena", "Bercy Arena", "competition", "8 boulevard de Bercy", "Paris", 48.83860, 2.37860,
     "Parvis nord, côté rue de Bercy", ["artistic gymnastics", "trampoline", "basketball"]),
    ("south-paris-arena", "South Paris Arena", "competition", "1 place de la Porte de Versailles", "Paris", 48.83220,
     2.28760, "Hall 1, entrée staff", ["handball", "table tennis", "volleyball", "weightlifting"]),
    ("north-paris-arena", "North Paris Arena", "competition", "ZAC Paris Nord 2", "Villepinte", 48.97250, 2.51500,
     "Entrée Est, PC sécurité", ["boxing", "modern pentathlon"]),
    ("porte-de-la-chapelle-arena", "Porte de La Chapelle Arena", "competition", "45 boulevard Ney", "Paris", 48.89970,
     2.36010, "Parvis boulevard Ney", ["badminton", "rhythmic gymnastics"]),
    ("grand-palais", "Grand Palais", "competition", "3 avenue du Général Eisenhower", "Paris", 48.86610, 2.31250,
     "Square Jean Perrin, point police", ["fencing", "taekwondo"]),
    ("champ-de-mars-arena", "Champ-de-Mars Arena", "competition", "Place Joffre", "Paris", 48.85360, 2.30080,
     "Place Joffre, côté École militaire", ["judo", "wrestling"]),
    ("eiffel-tower-stadium", "Eiffel Tower Stadium", "competition", "Champ de Mars", "Paris", 48.85560, 2.29860,
     "Allée Thomy Thierry, tente sécurité", ["beach volleyball"]),
    ("pont-alexandre-iii", "Pont Alexandre III", "competition", "Pont Alexandre III", "Paris", 48.86380, 2.31360,
     "Cours la Reine, rive droite", ["triathlon", "marathon swimming"]),
    ("invalides", "Invalides", "competition", "Esplanade des Invalides", "Paris", 48.85950, 2.31380,
     "Angle rue de Constantine / rue de Grenelle", ["archery", "athletics (marathon finish)"]),
    ("la-concorde", "La Concorde", "competition", "Place de la Concorde", "Paris", 48.86560, 2.32120,
     "Jardin des Tuileries, grille Concorde", ["BMX freestyle", "breaking", "skateboarding", "3x3 basketball"]),
    ("trocadero", "Trocadéro", "competition", "Place du Trocadéro", "Paris", 48.86160, 2.28860,
     "Avenue du Président Wilson, point police", ["road cycling", "athletics (race walk)"]),
    ("hotel-de-ville", "Hôtel de Ville", "competition", "Place de l'Hôtel de Ville", "Paris", 48.85660, 2.35220,
     "Rue de Rivoli, angle rue du Renard", ["athletics (marathon start)"]),
    ("le-bourget-climbing", "Le Bourget Sport Climbing Venue", "competition", "Rue Jean Jaurès", "Le Bourget", 48.93590,
     2.42560, "Parking P1, PC sécurité", ["sport climbing"]),
    ("chateau-de-versailles", "Château de Versailles", "competition", "Place d'Armes", "Versailles", 48.80490, 2.12040,
     "Grille d'honneur, côté place d'Armes", ["equestrian", "modern pentathlon"]),
    ("vaires-sur-marne", "Vaires-sur-Marne Nautical Stadium", "competition", "Route de Torcy", "Vaires-sur-Marne",
     48.86370, 2.63780, "Parking visiteurs, tente police", ["rowing", "canoe sprint", "canoe slalom"]),
    ("saint-quentin-velodrome", "Saint-Quentin-en-Yvelines Velodrome", "competition", "1 rue Laurent Fignon",
     "Montigny-le-Bretonneux", 48.78860, 2.03530, "Entrée ouest, PC sécurité", ["track cycling", "BMX racing"]),
    ("elancourt-hill", "Élancourt Hill", "competition", "Colline d'Élancourt", "Élancourt", 48.78400, 1.95700,
     "Parking de la Commanderie", ["mountain bike"]),
    ("golf-national", "Le Golf National", "competition", "2 avenue du Golf", "Guyancourt", 48.75450, 2.07470,
     "Club-house, entrée staff", ["golf"]),
    ("yves-du-manoir", "Yves-du-Manoir Stadium", "competition", "12 rue François Faber", "Colombes", 48.92440, 2.24940,
     "Tribune présidentielle, entrée B", ["hockey"]),
    ("chateauroux-shooting", "Châteauroux Shooting Centre", "competition", "Route de Châteauroux", "Déols", 46.84110,
     1.68360, "Accueil accréditations", ["shooting"]),
    ("marseille-marina", "Marseille Marina", "competition", "Promenade Georges Pompidou", "Marseille", 43.26570,
     5.37170, "Base nautique du Roucas-Blanc", ["sailing"]),
    ("stade-de-marseille", "Stade de Marseille", "competition", "3 boulevard Michelet", "Marseille", 43.26990, 5.39590,
     "Porte Ganay, PC sécurité", ["football"]),
    ("stade-de-lyon", "Stade de Lyon", "competition", "10 avenue Simone Veil", "Décines-Charpieu", 45.76530, 4.98220,
     "Parvis sud, PC sécurité", ["football"]),
    ("stade-de-bordeaux", "Stade de Bordeaux", "competition", "Cours Jules Ladoumègue", "Bordeaux", 44.89730,
     -0.56170, "Parvis est", ["football"]),
    ("stade-de-nice", "Stade de Nice", "competition", "Boulevard des Jardiniers", "Nice", 43.70530, 7.19260,
     "Entrée nord, PC sécurité", ["football"]),
    ("geoffroy-guichard", "Geoffroy-Guichard Stadium", "competition", "14 rue Paul et Pierre Guichard", "Saint-Étienne",
     45.46080, 4.39030, "Kop nord, entrée staff", ["football"]),
    ("la-beaujoire", "La Beaujoire Stadium", "competition", "5 boulevard de la Beaujoire", "Nantes", 47.25600,
     -1.52480, "Parvis ouest", ["football"]),
    ("pierre-mauroy", "Pierre Mauroy Stadium", "competition", "261 boulevard de Tournai", "Villeneuve-d'Ascq",
     50.61190, 3.13050, "Parvis sud, PC sécurité", ["handball", "basketball"]),
    ("club-france-villette", "Club France – Parc de la Villette", "live_site", "211 avenue Jean Jaurès", "Paris",
     48.89380, 2.39070, "Grande Halle, entrée sud", []),
    ("parc-des-champions", "Parc des Champions – Trocadéro", "live_site", "Jardins du Trocadéro", "Paris", 48.86220,
     2.28770, "Fontaine de Varsovie, tente police", []),
    ("terrasse-des-jeux", "Terrasse des Jeux – Hôtel de Ville", "live_site", "Place de l'Hôtel de Ville", "Paris",
     48.85640, 2.35240, "Quai de l'Hôtel de Ville, côté Seine", []),
    ("fan-zone-saint-denis", "Fan zone – Parc de la Légion d'honneur", "live_site", "Rue de la Légion d'Honneur",
     "Saint-Denis", 48.93560, 2.35730, "Entrée rue Jean Jaurès", []),
    ("reception-centre", "Foreign police reception centre", "reception", "1 bis rue de Lutèce", "Paris", 48.85460,
     2.34710, "Accreditation desk, ground floor", []),
]

# Work at competition sites (host-language liaison with French units); live sites get crowd work.
COMPETITION_TASKS = [
    "Spectator entrance liaison with the French police unit",
    "Foot patrol on the last-mile route with a French crew",
    "Command post liaison: delegation supporters",
    "Screening area support and visitor assistance",
]
LIVE_SITE_TASKS = ["Fan zone patrol with a French crew", "Crowd liaison at the giant screens"]
RECEPTION_TASKS = ["Welcome desk for arriving officers"]

FRENCH_CONTACTS = [
    ("Commandant Claire Moreau", "+33 1 53 71 00 11"), ("Capitaine Julien Lefèvre", "+33 1 53 71 00 12"),
    ("Commandant Nadia Benkhelifa", "+33 1 53 71 00 13"), ("Capitaine Thomas Girard", "+33 1 53 71 00 14"),
    ("Lieutenant Camille Roux", "+33 1 53 71 00 15"), ("Commandant Éric Fontaine", "+33 1 53 71 00 16"),
    ("Capitaine Sophie Marchand", "+33 1 53 71 00 17"), ("Lieutenant Karim Haddad", "+33 1 53 71 00 18"),
]

STAFF = [
    ("coordinator@demo.liaison", "coordinator", "Isabelle", "Durand", None),
    ("desk@demo.liaison", "desk", "Mathieu", "Perrin", None),
    ("admin@demo.liaison", "admin", "Hélène", "Garnier", None),
]
DEMO_PASSWORD = "liaison-demo"
