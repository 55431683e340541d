// The widget's own small catalogue (it runs on other sites, without Django's jsi18n).
// Keys are English phrases' short names; {name} placeholders are filled by t().
const CATALOGUE = {
  en: {
    open: "Open chat", close: "Close chat", title: "Chat with us", send: "Send",
    placeholder: "Write a message…", attach: "Attach a file", emoji: "Insert an emoji",
    typing: "{name} is typing…", agent: "Support", you: "You",
    pending: "Not sent yet", sent: "Sent", delivered: "Delivered", read: "Read",
    queued: "You are number {n} in the queue.", waiting: "Waiting for an agent…",
    joined: "{name} is here to help.", connecting: "Connecting…", reconnecting: "Connection lost. Reconnecting…",
    prechat: "Before we start, please tell us a little about yourself.", start: "Start chat",
    name: "Name", email: "E-mail", message: "Message", required: "required",
    fill: "Please fill in “{field}”.", bad_email: "Please enter a valid e-mail address.",
    away: "We are away right now", away_intro: "Leave us a message and we will answer by e-mail.",
    leave: "Send message", thanks: "Thank you. Your request number is {n}.",
    answer_by: "Someone will answer by {when}.", answer_email: "We will answer by e-mail.",
    end: "End chat", ended: "The chat has ended.", rate: "How was this chat?", stars: "{n} out of 5",
    comment: "Comment (optional)", rate_send: "Send rating", rated: "Thank you for your rating.",
    transcript: "E-mail me the transcript", your_email: "Your e-mail", transcript_sent: "The transcript is on its way.",
    new_chat: "Start a new chat", too_big: "{name} is too big (at most {max}).",
    bad_type: "{name}: this kind of file is not accepted.", upload_failed: "{name} could not be uploaded.",
    uploading: "Uploading {name}…", new_message: "New message", unread: "{n} unread",
    error: "Something went wrong. Please try again.", drop: "Drop a file to send it", dismiss: "Dismiss",
  },
  cs: {
    open: "Otevřít chat", close: "Zavřít chat", title: "Napište nám", send: "Odeslat",
    placeholder: "Napište zprávu…", attach: "Přiložit soubor", emoji: "Vložit emoji",
    typing: "{name} píše…", agent: "Podpora", you: "Vy",
    pending: "Zatím neodesláno", sent: "Odesláno", delivered: "Doručeno", read: "Přečteno",
    queued: "Jste {n}. ve frontě.", waiting: "Čekáme na volného operátora…",
    joined: "{name} vám rád pomůže.", connecting: "Připojování…", reconnecting: "Spojení se přerušilo. Připojujeme se znovu…",
    prechat: "Než začneme, řekněte nám prosím něco o sobě.", start: "Zahájit chat",
    name: "Jméno", email: "E-mail", message: "Zpráva", required: "povinné",
    fill: "Vyplňte prosím „{field}“.", bad_email: "Zadejte prosím platnou e-mailovou adresu.",
    away: "Právě nejsme k dispozici", away_intro: "Zanechte nám zprávu a odpovíme vám e-mailem.",
    leave: "Odeslat zprávu", thanks: "Děkujeme. Číslo vašeho požadavku je {n}.",
    answer_by: "Odpovíme do {when}.", answer_email: "Odpovíme vám e-mailem.",
    end: "Ukončit chat", ended: "Chat byl ukončen.", rate: "Jak jste byli s chatem spokojeni?", stars: "{n} z 5",
    comment: "Komentář (nepovinný)", rate_send: "Odeslat hodnocení", rated: "Děkujeme za vaše hodnocení.",
    transcript: "Poslat přepis e-mailem", your_email: "Váš e-mail", transcript_sent: "Přepis je na cestě.",
    new_chat: "Zahájit nový chat", too_big: "{name} je příliš velký (nejvýše {max}).",
    bad_type: "{name}: tento druh souboru nepřijímáme.", upload_failed: "{name} se nepodařilo nahrát.",
    uploading: "Nahrávání {name}…", new_message: "Nová zpráva", unread: "Nepřečteno: {n}",
    error: "Něco se pokazilo. Zkuste to prosím znovu.", drop: "Pusťte soubor sem a odešle se", dismiss: "Zavřít",
  },
  pl: {
    open: "Otwórz czat", close: "Zamknij czat", title: "Porozmawiaj z nami", send: "Wyślij",
    placeholder: "Napisz wiadomość…", attach: "Załącz plik", emoji: "Wstaw emoji",
    typing: "{name} pisze…", agent: "Wsparcie", you: "Ty",
    pending: "Jeszcze nie wysłano", sent: "Wysłano", delivered: "Dostarczono", read: "Przeczytano",
    queued: "Jesteś {n}. w kolejce.", waiting: "Czekamy na konsultanta…",
    joined: "{name} chętnie pomoże.", connecting: "Łączenie…", reconnecting: "Połączenie przerwane. Łączymy ponownie…",
    prechat: "Zanim zaczniemy, powiedz nam coś o sobie.", start: "Rozpocznij czat",
    name: "Imię i nazwisko", email: "E-mail", message: "Wiadomość", required: "wymagane",
    fill: "Wypełnij pole „{field}”.", bad_email: "Podaj prawidłowy adres e-mail.",
    away: "Jesteśmy teraz niedostępni", away_intro: "Zostaw wiadomość, a odpowiemy e-mailem.",
    leave: "Wyślij wiadomość", thanks: "Dziękujemy. Numer Twojego zgłoszenia to {n}.",
    answer_by: "Odpowiemy do {when}.", answer_email: "Odpowiemy e-mailem.",
    end: "Zakończ czat", ended: "Czat został zakończony.", rate: "Jak oceniasz tę rozmowę?", stars: "{n} z 5",
    comment: "Komentarz (opcjonalnie)", rate_send: "Wyślij ocenę", rated: "Dziękujemy za ocenę.",
    transcript: "Wyślij mi zapis rozmowy", your_email: "Twój e-mail", transcript_sent: "Zapis rozmowy jest w drodze.",
    new_chat: "Rozpocznij nowy czat", too_big: "{name} jest za duży (maksymalnie {max}).",
    bad_type: "{name}: ten rodzaj pliku nie jest akceptowany.", upload_failed: "Nie udało się przesłać {name}.",
    uploading: "Przesyłanie {name}…", new_message: "Nowa wiadomość", unread: "Nieprzeczytane: {n}",
    error: "Coś poszło nie tak. Spróbuj ponownie.", drop: "Upuść plik, aby go wysłać", dismiss: "Zamknij",
  },
  et: {
    open: "Ava vestlus", close: "Sulge vestlus", title: "Vestle meiega", send: "Saada",
    placeholder: "Kirjuta sõnum…", attach: "Lisa fail", emoji: "Lisa emoji",
    typing: "{name} kirjutab…", agent: "Tugi", you: "Sina",
    pending: "Veel saatmata", sent: "Saadetud", delivered: "Kohale toimetatud", read: "Loetud",
    queued: "Oled järjekorras {n}.", waiting: "Ootame vaba klienditeenindajat…",
    joined: "{name} aitab sind hea meelega.", connecting: "Ühendamine…", reconnecting: "Ühendus katkes. Ühendame uuesti…",
    prechat: "Enne alustamist räägi meile palun veidi endast.", start: "Alusta vestlust",
    name: "Nimi", email: "E-post", message: "Sõnum", required: "kohustuslik",
    fill: "Palun täida väli „{field}”.", bad_email: "Palun sisesta kehtiv e-posti aadress.",
    away: "Me pole praegu saadaval", away_intro: "Jäta meile sõnum ja vastame e-posti teel.",
    leave: "Saada sõnum", thanks: "Aitäh! Sinu pöördumise number on {n}.",
    answer_by: "Vastame hiljemalt {when}.", answer_email: "Vastame e-posti teel.",
    end: "Lõpeta vestlus", ended: "Vestlus on lõppenud.", rate: "Kuidas vestlus sulle meeldis?", stars: "{n} / 5",
    comment: "Kommentaar (vabatahtlik)", rate_send: "Saada hinnang", rated: "Aitäh hinnangu eest!",
    transcript: "Saada vestluse ärakiri e-postiga", your_email: "Sinu e-post", transcript_sent: "Ärakiri on teel.",
    new_chat: "Alusta uut vestlust", too_big: "{name} on liiga suur (kuni {max}).",
    bad_type: "{name}: seda tüüpi faile ei võeta vastu.", upload_failed: "Faili {name} üleslaadimine ebaõnnestus.",
    uploading: "Laadin üles: {name}…", new_message: "Uus sõnum", unread: "Lugemata: {n}",
    error: "Midagi läks valesti. Palun proovi uuesti.", drop: "Lohista fail siia, et see saata", dismiss: "Sulge",
  },
};

export const LANGUAGES = Object.keys(CATALOGUE);

/** The first of the candidates ("cs-CZ", "pl", …) the widget speaks, else English. */
export function pickLanguage(...candidates) {
  for (const candidate of candidates) {
    const code = (candidate || "").toLowerCase().split(/[-_]/)[0];
    if (CATALOGUE[code]) return code;
  }
  return "en";
}

export function translator(language) {
  const strings = CATALOGUE[language] || CATALOGUE.en;
  return (key, values = {}) =>
    (strings[key] ?? CATALOGUE.en[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export const CATALOGUES = CATALOGUE; // for the tests: every language has every key
