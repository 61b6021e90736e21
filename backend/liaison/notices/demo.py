"""Demo step: alert level `heightened`, a few notices and the day's briefings, with real multilingual text.

Registered in liaison.demo.seed.STEPS. Rows are written directly (no pushes: nobody is subscribed yet).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from liaison.alerts.models import AlertChange
from liaison.notices.audience import Audience, materialize
from liaison.notices.models import Notice, NoticeRecipient

if TYPE_CHECKING:
    from liaison.demo.seed import DemoContext

PARIS = ZoneInfo("Europe/Paris")

ALERT_REASON = "Paris 2024: the national Vigipirate posture for the Games (SGDSN decision)."
ALERT_INSTRUCTIONS = {
    "en": "Enhanced security across Paris and the venues. Stay with your French unit, wear your accreditation "
    "visibly and report any suspicious behaviour or unattended item to your French contact at once.",
    "fr": "Sécurité renforcée à Paris et sur les sites. Restez avec votre unité française, portez votre accréditation "
    "de façon visible et signalez immédiatement tout comportement suspect ou objet abandonné à votre contact français.",
    "de": "Erhöhte Sicherheit in Paris und an den Wettkampfstätten. Bleiben Sie bei Ihrer französischen Einheit, "
    "tragen Sie Ihre Akkreditierung sichtbar und melden Sie verdächtiges Verhalten oder herrenlose Gegenstände "
    "sofort Ihrem französischen Ansprechpartner.",
    "es": "Seguridad reforzada en París y en las sedes. Permanezca con su unidad francesa, lleve la acreditación a la "
    "vista e informe de inmediato a su contacto francés de cualquier comportamiento sospechoso u objeto abandonado.",
    "it": "Sicurezza rafforzata a Parigi e nei siti di gara. Resti con la sua unità francese, tenga l'accredito ben "
    "visibile e segnali subito al suo referente francese qualsiasi comportamento sospetto o oggetto abbandonato.",
    "pl": "Wzmocnione bezpieczeństwo w Paryżu i na obiektach. Proszę pozostawać przy swojej francuskiej jednostce, "
    "nosić akredytację w widocznym miejscu i niezwłocznie zgłaszać francuskiej osobie kontaktowej każde podejrzane "
    "zachowanie lub pozostawiony bez opieki przedmiot.",
    "nl": "Verhoogde beveiliging in Parijs en op de locaties. Blijf bij uw Franse eenheid, draag uw accreditatie "
    "zichtbaar en meld verdacht gedrag of achtergelaten voorwerpen onmiddellijk aan uw Franse contactpersoon.",
    "pt": "Segurança reforçada em Paris e nos locais de competição. Mantenha-se junto da sua unidade francesa, use a "
    "acreditação bem visível e comunique de imediato ao seu contacto francês qualquer comportamento suspeito ou "
    "objeto abandonado.",
    "ar": "أمن مشدد في باريس وفي جميع المواقع. ابقَ مع وحدتك الفرنسية، واجعل بطاقة اعتمادك ظاهرة، وأبلغ جهة الاتصال "
    "الفرنسية فورًا عن أي سلوك مريب أو غرض متروك.",
}

URGENT_TO_ALL = {
    "en": (
        "Carry your accreditation and service ID at all times",
        "From today, checkpoints around the venues refuse anyone without both the Paris 2024 accreditation and "
        "the national service ID. Acknowledge this message to confirm you have both with you.",
    ),
    "fr": (
        "Accréditation et carte professionnelle obligatoires en permanence",
        "À partir d'aujourd'hui, les points de contrôle autour des sites refusent toute personne sans "
        "l'accréditation Paris 2024 et la carte professionnelle nationale. Confirmez la lecture de ce message "
        "pour indiquer que vous avez les deux sur vous.",
    ),
    "de": (
        "Akkreditierung und Dienstausweis jederzeit mitführen",
        "Ab heute weisen die Kontrollstellen rund um die Wettkampfstätten alle ab, die nicht sowohl die "
        "Paris-2024-Akkreditierung als auch den nationalen Dienstausweis vorzeigen. Bitte bestätigen Sie diese "
        "Nachricht, wenn Sie beides bei sich haben.",
    ),
    "es": (
        "Lleve siempre la acreditación y la placa de servicio",
        "Desde hoy, los controles en torno a las sedes rechazan a quien no lleve la acreditación de París 2024 y "
        "la identificación policial nacional. Confirme este mensaje para indicar que lleva ambas.",
    ),
    "it": (
        "Portare sempre accredito e tesserino di servizio",
        "Da oggi i varchi di controllo intorno ai siti respingono chi non ha sia l'accredito Parigi 2024 sia il "
        "tesserino di servizio nazionale. Confermi questo messaggio per indicare che li ha entrambi con sé.",
    ),
    "pl": (
        "Akredytacja i legitymacja służbowa – zawsze przy sobie",
        "Od dziś punkty kontroli wokół obiektów nie wpuszczają nikogo bez akredytacji Paryż 2024 i krajowej "
        "legitymacji służbowej. Proszę potwierdzić tę wiadomość na znak, że ma Pan/Pani oba dokumenty przy sobie.",
    ),
    "nl": (
        "Draag altijd uw accreditatie en dienstlegitimatie bij u",
        "Vanaf vandaag weigeren de controleposten rond de locaties iedereen zonder zowel de Paris 2024-"
        "accreditatie als de nationale dienstlegitimatie. Bevestig dit bericht als u beide bij u hebt.",
    ),
    "pt": (
        "Traga sempre a acreditação e o cartão de serviço",
        "A partir de hoje, os pontos de controlo em redor dos locais recusam quem não tiver a acreditação Paris "
        "2024 e o cartão de serviço nacional. Confirme esta mensagem para indicar que traz ambos consigo.",
    ),
    "ar": (
        "احمل بطاقة الاعتماد وبطاقة الخدمة في جميع الأوقات",
        "اعتبارًا من اليوم، ترفض نقاط التفتيش حول المواقع أي شخص لا يحمل بطاقة اعتماد باريس 2024 وبطاقة الخدمة "
        "الوطنية معًا. يرجى تأكيد الاطلاع على هذه الرسالة للدلالة على أنك تحملهما.",
    ),
}

TO_GERMANY = {
    "de": (
        "Delegationsbesprechung heute um 18:00 Uhr",
        "Besprechung der deutschen Delegation um 18:00 Uhr im Verbindungsbüro der Préfecture de police, "
        "Île de la Cité, Saal 3. Themen: Einsatzplan der zweiten Woche und Rückreise.",
    ),
    "en": (
        "German delegation meeting today at 18:00",
        "German delegation meeting at 18:00 in the liaison office of the Préfecture de police, Île de la Cité, "
        "room 3. Agenda: second-week deployment plan and return travel.",
    ),
    "fr": (
        "Réunion de la délégation allemande aujourd'hui à 18 h",
        "Réunion de la délégation allemande à 18 h au bureau de liaison de la Préfecture de police, Île de la "
        "Cité, salle 3. Ordre du jour : plan d'emploi de la deuxième semaine et voyage retour.",
    ),
}

TO_STADIUM = {
    "fr": (
        "Stade de France : Porte X fermée de 16 h à 18 h",
        "La Porte X est fermée aux piétons de 16 h à 18 h pour une livraison sécurisée. Présentez-vous à la "
        "Porte Z ; le poste de commandement reste joignable au même numéro.",
        "human",
    ),
    "en": (
        "Stade de France: Gate X closed 16:00–18:00",
        "Gate X is closed to pedestrians from 16:00 to 18:00 for a secured delivery. Report to Gate Z; the "
        "command post keeps the same number.",
        "human",
    ),
    "de": (
        "Stade de France: Tor X von 16 bis 18 Uhr geschlossen",
        "Tor X ist von 16 bis 18 Uhr für Fußgänger wegen einer gesicherten Anlieferung geschlossen. Melden Sie "
        "sich an Tor Z; der Befehlsstand bleibt unter derselben Nummer erreichbar.",
        "machine",
    ),
    "es": (
        "Stade de France: Puerta X cerrada de 16:00 a 18:00",
        "La Puerta X está cerrada a peatones de 16:00 a 18:00 por una entrega custodiada. Preséntese en la "
        "Puerta Z; el puesto de mando mantiene el mismo número.",
        "machine",
    ),
}

WELCOME = {
    "en": (
        "Welcome to Paris 2024",
        "Welcome, and thank you for joining the French police during the Games. Your day starts at the meeting "
        "point of your venue, where your French contact meets you. Keep this app open: your shifts, today's "
        "briefing and the alert level are here, also offline. The liaison desk at the Préfecture de police is "
        "open day and night.",
    ),
    "fr": (
        "Bienvenue à Paris 2024",
        "Bienvenue, et merci de renforcer la police française pendant les Jeux. Votre journée commence au point "
        "de rendez-vous de votre site, où votre contact français vous accueille. Gardez cette application : vos "
        "vacations, le briefing du jour et le niveau d'alerte y sont, même hors connexion. Le bureau de liaison "
        "de la Préfecture de police est ouvert jour et nuit.",
    ),
    "de": (
        "Willkommen bei Paris 2024",
        "Willkommen, und danke, dass Sie die französische Polizei während der Spiele unterstützen. Ihr Tag "
        "beginnt am Treffpunkt Ihrer Einsatzstätte, wo Ihr französischer Ansprechpartner Sie empfängt. In dieser "
        "App finden Sie Ihre Dienste, die Einweisung des Tages und die Alarmstufe, auch offline. Das "
        "Verbindungsbüro der Préfecture de police ist rund um die Uhr besetzt.",
    ),
    "es": (
        "Bienvenido a París 2024",
        "Bienvenido, y gracias por reforzar a la policía francesa durante los Juegos. Su jornada empieza en el "
        "punto de encuentro de su sede, donde le recibe su contacto francés. En esta aplicación tiene sus turnos, "
        "la sesión informativa del día y el nivel de alerta, también sin conexión. La oficina de enlace de la "
        "Préfecture de police está abierta día y noche.",
    ),
    "it": (
        "Benvenuto a Parigi 2024",
        "Benvenuto, e grazie per affiancare la polizia francese durante i Giochi. La sua giornata inizia al punto "
        "d'incontro del suo sito, dove la accoglie il suo referente francese. In questa app trova i suoi turni, "
        "il briefing del giorno e il livello di allerta, anche offline. L'ufficio di collegamento della "
        "Préfecture de police è aperto giorno e notte.",
    ),
    "pl": (
        "Witamy na Igrzyskach Paryż 2024",
        "Witamy i dziękujemy za wsparcie francuskiej policji podczas Igrzysk. Dzień zaczyna się w punkcie zbiórki "
        "na obiekcie, gdzie czeka francuska osoba kontaktowa. W tej aplikacji są Pana/Pani służby, odprawa na "
        "dany dzień i poziom alarmowy, także bez dostępu do sieci. Biuro łącznikowe Préfecture de police jest "
        "czynne całą dobę.",
    ),
    "nl": (
        "Welkom bij Parijs 2024",
        "Welkom, en dank dat u de Franse politie tijdens de Spelen versterkt. Uw dag begint op het verzamelpunt "
        "van uw locatie, waar uw Franse contactpersoon u opwacht. In deze app staan uw diensten, de briefing van "
        "de dag en het dreigingsniveau, ook offline. Het verbindingsbureau van de Préfecture de police is dag en "
        "nacht open.",
    ),
    "pt": (
        "Bem-vindo a Paris 2024",
        "Bem-vindo, e obrigado por reforçar a polícia francesa durante os Jogos. O seu dia começa no ponto de "
        "encontro do seu local, onde o espera o seu contacto francês. Nesta aplicação estão os seus turnos, o "
        "briefing do dia e o nível de alerta, mesmo sem rede. O gabinete de ligação da Préfecture de police está "
        "aberto dia e noite.",
    ),
    "ar": (
        "مرحبًا بكم في باريس 2024",
        "مرحبًا بكم، وشكرًا لدعمكم الشرطة الفرنسية خلال الألعاب. يبدأ يومكم عند نقطة التجمع في موقعكم حيث "
        "يستقبلكم منسقكم الفرنسي. تجدون في هذا التطبيق نوباتكم وإحاطة اليوم ومستوى الإنذار، حتى دون اتصال. "
        "مكتب الارتباط في مديرية الشرطة مفتوح ليلًا ونهارًا.",
    ),
}

# Per-venue briefing of the day: {venue}, {meeting_point}, {contact}, {phone} filled per venue.
VENUE_BRIEFING = {
    "en": (
        "Today at {venue}",
        "Meeting point: {meeting_point}. Your French contact: {contact} ({phone}). Check in at the command post "
        "before your shift and hand over at the end of it. Expect dense crowds at the end of sessions.",
    ),
    "fr": (
        "Aujourd'hui à {venue}",
        "Point de rendez-vous : {meeting_point}. Votre contact français : {contact} ({phone}). Présentez-vous au "
        "poste de commandement avant la vacation et faites la relève à la fin. Forte affluence en fin de session.",
    ),
    "de": (
        "Heute: {venue}",
        "Treffpunkt: {meeting_point}. Ihr französischer Ansprechpartner: {contact} ({phone}). Melden Sie sich "
        "vor Dienstbeginn am Befehlsstand und übergeben Sie am Ende. Am Ende der Sessions mit großem Andrang "
        "rechnen.",
    ),
    "es": (
        "Hoy en {venue}",
        "Punto de encuentro: {meeting_point}. Su contacto francés: {contact} ({phone}). Preséntese en el puesto "
        "de mando antes del turno y haga el relevo al final. Mucha afluencia al terminar las sesiones.",
    ),
    "it": (
        "Oggi a {venue}",
        "Punto d'incontro: {meeting_point}. Il suo referente francese: {contact} ({phone}). Si presenti al posto "
        "di comando prima del turno e faccia il passaggio di consegne alla fine. Forte afflusso a fine sessione.",
    ),
}


def _paris(day: Any, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=PARIS)


def _content(texts: dict[str, tuple[str, ...]], **fill: str) -> dict[str, dict[str, str]]:
    out = {}
    for lang, entry in texts.items():
        title, body, *source = entry
        out[lang] = {
            "title": title.format(**fill),
            "body": body.format(**fill),
            "source": source[0] if source else "human",
        }
    return out


async def _notice(
    session: AsyncSession,
    context: DemoContext,
    key: str,
    audience: Audience,
    content: dict[str, dict[str, str]],
    **fields: Any,
) -> uuid.UUID:
    from liaison.demo.seed import stable_id

    notice_id = stable_id("notice", key)
    row = {
        "id": notice_id,
        "kind": "notice",
        "priority": "info",
        "requires_ack": False,
        "audience": audience.as_record(),
        "content": content,
        "created_by": context.coordinator_id,
        "version": context.version,
        **fields,
    }
    await session.execute(insert(Notice.__table__), [row])
    count = await materialize(session, audience, notice_id)
    await session.execute(update(Notice).where(Notice.id == notice_id).values(recipients=count))
    return notice_id


async def seed_alerts_and_notices(session: AsyncSession, context: DemoContext) -> None:
    today = context.today
    # Sent this morning, or an hour ago when the demo starts before the morning: never in the future.
    morning = min(_paris(today, time(7, 30)), datetime.now(PARIS) - timedelta(hours=3))
    day = (_paris(today, time(0, 0)), _paris(today + timedelta(days=1), time(0, 0)))
    session.add(
        AlertChange(
            level="heightened",
            reason=ALERT_REASON,
            instructions=ALERT_INSTRUCTIONS,
            changed_by=context.coordinator_id,
            changed_at=morning - timedelta(days=3),
        )
    )
    await session.flush()

    urgent = await _notice(
        session,
        context,
        "urgent-accreditation",
        Audience(everyone=True, window=day),
        _content(URGENT_TO_ALL),
        priority="urgent",
        requires_ack=True,
        created_at=morning,
        ack_deadline=_paris(today + timedelta(days=1), time(12, 0)),
    )
    # Most arrived officers have acknowledged already, so the dashboard has something to show.
    acked = [o["id"] for i, o in enumerate(context.officers) if o["status"] == "arrived" and i % 4 != 0]
    for start in range(0, len(acked), 500):
        await session.execute(
            update(NoticeRecipient)
            .where(NoticeRecipient.notice_id == urgent, NoticeRecipient.user_id.in_(acked[start : start + 500]))
            .values(acknowledged_at=morning + timedelta(minutes=20))
        )
    await _notice(
        session,
        context,
        "de-meeting",
        Audience(countries=["DE"], window=day),
        _content(TO_GERMANY),
        priority="important",
        created_at=morning + timedelta(hours=1),
    )
    stadium = next(v for v in context.venues if v["slug"] == "stade-de-france")
    await _notice(
        session,
        context,
        "stadium-gate",
        Audience(venues=[stadium["id"]], window=day),  # type: ignore[list-item]
        _content(TO_STADIUM),
        priority="important",
        created_at=morning + timedelta(hours=2),
    )

    await _notice(
        session,
        context,
        "welcome",
        Audience(everyone=True, window=day),
        _content(WELCOME),
        kind="briefing",
        created_at=morning - timedelta(days=3),
    )
    shifts_today = [s for s in context.shifts if day[0] <= s["starts_at"] < day[1]]  # type: ignore[operator]
    for venue in context.venues:
        first = next((s for s in shifts_today if s["venue_id"] == venue["id"]), None)
        if first is None:
            continue
        await _notice(
            session,
            context,
            f"briefing/{venue['slug']}/{today.isoformat()}",
            Audience(venues=[venue["id"]], window=day),  # type: ignore[list-item]
            _content(
                VENUE_BRIEFING,
                venue=str(venue["name"]),
                meeting_point=str(venue["meeting_point"]),
                contact=str(first["contact_name"]),
                phone=str(first["contact_phone"]),
            ),
            kind="briefing",
            requires_ack=True,
            venue_id=venue["id"],
            on_date=today,
            created_at=morning - timedelta(hours=1),
        )
