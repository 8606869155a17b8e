"""Spanish, German and French ticket text: fewer paraphrases than English, same intents and slots.

``{ref}`` is an order id for shoppers and an invoice number for SaaS customers; ``{item}`` a product
or a plan, so one body serves every business.
"""

from __future__ import annotations

from typing import Any

TEXT: dict[str, dict[str, Any]] = {
    "es": {
        "subject": {
            "billing_question": ("Pregunta sobre un cargo",),
            "refund_request": ("Reembolso {ref}",),
            "cancel_subscription": ("Cancelar suscripción",),
            "technical_issue": ("Algo no funciona",),
            "shipping_delay": ("¿Dónde está mi pedido {ref}?",),
            "product_question": ("Pregunta sobre {item}",),
            "sizing_fit": ("Ayuda con la talla",),
            "account_access": ("No puedo iniciar sesión",),
            "complaint": ("Queja",),
            "praise": ("¡Gracias!",),
            "data_privacy": ("Solicitud de datos personales",),
            "upgrade_inquiry": ("Cambiar de plan",),
        },
        "body": {
            "billing_question": (
                "Me han cobrado {amount} dos veces por {ref}. ¿Cuál es el cargo correcto?",
                "Necesito una factura de {ref} con el IVA desglosado.",
            ),
            "refund_request": (
                "Devolví {item} hace {days} días y todavía no he recibido el reembolso de {amount}.",
                "Quiero que me devuelvan el dinero de {ref}, el producto llegó dañado.",
            ),
            "cancel_subscription": (
                "Por favor, cancelad nuestra suscripción al final del periodo actual.",
                "¿Cómo cancelo el plan? No encuentro la opción en la configuración.",
            ),
            "technical_issue": (
                "La automatización dejó de funcionar ayer y nadie del equipo sabe por qué.",
                "La aplicación se cierra cada vez que abro un tablero.",
            ),
            "shipping_delay": (
                "Mi pedido {ref} debía llegar hace {days} días y el seguimiento no se actualiza.",
                "El transportista dice entregado pero no tengo nada. Pedido {ref}.",
            ),
            "product_question": ("¿{item} sirve para pies planos?", "¿Es impermeable de verdad {item}?"),
            "sizing_fit": (
                "Normalmente uso un {size} pero {item} me queda pequeño. ¿Puedo cambiarlo por un {other_size}?",
                "¿Qué talla me recomendáis entre {size} y {other_size}?",
            ),
            "account_access": (
                "No me llega el correo para restablecer la contraseña.",
                "He perdido el móvil y no puedo pasar la verificación en dos pasos.",
            ),
            "complaint": (
                "La calidad de {item} deja mucho que desear para lo que cuesta.",
                "Llevo una semana esperando respuesta del servicio de atención.",
            ),
            "praise": ("{item} es comodísimo, ¡gracias!", "El cambio de talla fue rapidísimo. Muy contento."),
            "data_privacy": (
                "Quiero que borréis todos mis datos personales.",
                "Solicito una copia de todos los datos que tenéis sobre mí (RGPD).",
            ),
            "upgrade_inquiry": (
                "¿Cuánto costaría pasar al plan Business con {seats} usuarios?",
                "Queremos más funciones, ¿qué plan nos recomendáis?",
            ),
        },
        "opener": {
            "very_negative": ("¡Esto es inaceptable!", "Estoy harto."),
            "negative": ("Estoy bastante decepcionada.", "Qué frustración."),
            "neutral": ("Una consulta.", ""),
            "positive": ("¡Me encantan vuestros productos!", ""),
        },
        "closer": {
            "very_negative": ("Quiero una solución hoy mismo.",),
            "negative": ("Espero una respuesta pronto.",),
            "neutral": ("Gracias.",),
            "positive": ("¡Muchas gracias!",),
        },
        "frame": ("Hola:", "Saludos, {first_name}"),
        "reply": (
            "Hola {first_name}, gracias por escribirnos. {answer} Un saludo, {agent} (Atención al cliente Northwind)",
        ),
        "answer": {
            "billing_question": ("El segundo cargo es una preautorización y desaparecerá en 3-5 días hábiles.",),
            "refund_request": ("Hemos emitido el reembolso; lo verás en 5-7 días hábiles.",),
            "cancel_subscription": ("La suscripción se cancelará al final del periodo actual.",),
            "technical_issue": ("Hemos corregido el error; por favor, vuelve a intentarlo.",),
            "shipping_delay": ("Hemos abierto una investigación con el transportista; tarda hasta 5 días hábiles.",),
            "product_question": ("Todos los detalles están en nuestra guía de producto; te hemos enviado el enlace.",),
            "sizing_fit": ("Te hemos preparado un cambio de talla gratuito; la etiqueta está en tu correo.",),
            "account_access": ("Te hemos enviado un nuevo enlace; es válido durante 60 minutos.",),
            "complaint": ("Lo sentimos mucho; hemos trasladado tu queja al equipo responsable.",),
            "praise": ("¡Gracias por tus palabras! Se lo pasamos al equipo.",),
            "data_privacy": ("Hemos registrado tu solicitud; la completaremos en un plazo de 30 días.",),
            "upgrade_inquiry": ("Business cuesta 12,75 $ por usuario al mes con pago anual.",),
        },
        "final": ("¡Perfecto! Cerramos la incidencia.", "Lo sentimos; lo hemos escalado a un especialista."),
    },
    "de": {
        "subject": {
            "billing_question": ("Frage zu einer Abbuchung",),
            "refund_request": ("Erstattung {ref}",),
            "cancel_subscription": ("Kündigung",),
            "technical_issue": ("Fehler in der App",),
            "shipping_delay": ("Wo bleibt meine Bestellung {ref}?",),
            "product_question": ("Frage zu {item}",),
            "sizing_fit": ("Größenberatung",),
            "account_access": ("Login funktioniert nicht",),
            "complaint": ("Beschwerde",),
            "praise": ("Vielen Dank!",),
            "data_privacy": ("DSGVO-Anfrage",),
            "upgrade_inquiry": ("Tarifwechsel",),
        },
        "body": {
            "billing_question": (
                "Mir wurden {amount} doppelt für {ref} abgebucht. Welche Buchung stimmt?",
                "Bitte senden Sie mir eine Rechnung für {ref} mit ausgewiesener MwSt.",
            ),
            "refund_request": (
                "Ich habe {item} vor {days} Tagen zurückgeschickt und noch keine Erstattung über {amount} erhalten.",
                "Ich möchte mein Geld für {ref} zurück, der Artikel ist defekt.",
            ),
            "cancel_subscription": (
                "Bitte kündigen Sie unser Abo zum Ende der Laufzeit.",
                "Wie kann ich kündigen? Ich finde die Option nicht.",
            ),
            "technical_issue": (
                "Die Automatisierung läuft seit gestern nicht mehr.",
                "Der Bank-Feed ist wieder getrennt und der Abgleich hängt.",
            ),
            "shipping_delay": (
                "Meine Bestellung {ref} sollte vor {days} Tagen ankommen, die Sendungsverfolgung steht still.",
                "Laut Paketdienst zugestellt, aber hier ist nichts angekommen. {ref}.",
            ),
            "product_question": ("Ist {item} für Plattfüße geeignet?", "Kann ich meine Einlagen in {item} nutzen?"),
            "sizing_fit": (
                "Ich trage sonst {size}, aber {item} ist zu eng. Kann ich auf {other_size} umtauschen?",
                "Fällt {item} klein aus?",
            ),
            "account_access": (
                "Die E-Mail zum Zurücksetzen des Passworts kommt nicht an.",
                "Mein Konto ist nach mehreren Versuchen gesperrt.",
            ),
            "complaint": (
                "Für den Preis ist die Qualität von {item} enttäuschend.",
                "Seit einer Woche keine Antwort vom Kundenservice.",
            ),
            "praise": ("{item} ist super bequem, danke!", "Der Umtausch ging schnell und einfach."),
            "data_privacy": (
                "Bitte löschen Sie alle meine personenbezogenen Daten.",
                "Ich bitte um Auskunft über alle gespeicherten Daten nach Art. 15 DSGVO.",
            ),
            "upgrade_inquiry": (
                "Was kostet Business für {seats} Nutzer bei jährlicher Zahlung?",
                "Wir brauchen SSO. Welcher Tarif ist der richtige?",
            ),
        },
        "opener": {
            "very_negative": ("Das ist eine Frechheit!", "Ich bin stinksauer."),
            "negative": ("Ich bin ziemlich enttäuscht.", "Das ist ärgerlich."),
            "neutral": ("Kurze Frage.", ""),
            "positive": ("Ich liebe Ihre Produkte!", ""),
        },
        "closer": {
            "very_negative": ("Ich erwarte heute noch eine Lösung.",),
            "negative": ("Bitte kümmern Sie sich darum.",),
            "neutral": ("Danke.",),
            "positive": ("Vielen Dank!",),
        },
        "frame": ("Hallo,", "Viele Grüße, {first_name}"),
        "reply": (
            "Hallo {first_name}, danke für Ihre Nachricht. {answer} Viele Grüße, {agent} (Northwind Kundenservice)",
        ),
        "answer": {
            "billing_question": ("Die zweite Buchung ist eine Vorautorisierung und verschwindet in 3-5 Werktagen.",),
            "refund_request": ("Die Erstattung ist veranlasst und in 5-7 Werktagen auf Ihrem Konto.",),
            "cancel_subscription": ("Ihr Abo endet zum Ende des laufenden Abrechnungszeitraums.",),
            "technical_issue": ("Wir haben den Fehler behoben; bitte versuchen Sie es erneut.",),
            "shipping_delay": ("Wir haben einen Nachforschungsauftrag beim Paketdienst gestellt (bis zu 5 Werktage).",),
            "product_question": (
                "Alle Details stehen in unserem Produktratgeber; den Link haben wir Ihnen geschickt.",
            ),
            "sizing_fit": ("Wir haben einen kostenlosen Umtausch angelegt; das Etikett ist in Ihrem Postfach.",),
            "account_access": ("Wir haben Ihnen einen neuen Link geschickt; er ist 60 Minuten gültig.",),
            "complaint": ("Das tut uns leid; wir haben Ihre Beschwerde an das zuständige Team weitergegeben.",),
            "praise": ("Vielen Dank für das Lob, wir geben es an das Team weiter!",),
            "data_privacy": ("Ihre Anfrage ist erfasst und wird innerhalb von 30 Tagen bearbeitet.",),
            "upgrade_inquiry": ("Business kostet bei jährlicher Zahlung 12,75 $ pro Nutzer und Monat.",),
        },
        "final": (
            "Prima, dann schließen wir den Vorgang.",
            "Das tut uns leid; wir haben es an einen Spezialisten eskaliert.",
        ),
    },
    "fr": {
        "subject": {
            "billing_question": ("Question sur un prélèvement",),
            "refund_request": ("Remboursement {ref}",),
            "cancel_subscription": ("Résiliation",),
            "technical_issue": ("Problème technique",),
            "shipping_delay": ("Où est ma commande {ref} ?",),
            "product_question": ("Question sur {item}",),
            "sizing_fit": ("Question de taille",),
            "account_access": ("Impossible de me connecter",),
            "complaint": ("Réclamation",),
            "praise": ("Merci !",),
            "data_privacy": ("Demande RGPD",),
            "upgrade_inquiry": ("Changement d'offre",),
        },
        "body": {
            "billing_question": (
                "J'ai été débité deux fois de {amount} pour {ref}. Lequel est le bon ?",
                "Pouvez-vous m'envoyer une facture pour {ref} avec la TVA ?",
            ),
            "refund_request": (
                "J'ai renvoyé {item} il y a {days} jours et je n'ai toujours pas été remboursé de {amount}.",
                "Je souhaite être remboursée pour {ref}, l'article est arrivé abîmé.",
            ),
            "cancel_subscription": (
                "Merci de résilier notre abonnement à la fin de la période en cours.",
                "Comment résilier ? Je ne trouve pas l'option.",
            ),
            "technical_issue": (
                "L'automatisation ne se déclenche plus depuis hier.",
                "L'application plante dès que j'ouvre un tableau.",
            ),
            "shipping_delay": (
                "Ma commande {ref} devait arriver il y a {days} jours, le suivi ne bouge plus.",
                "Le transporteur indique livré mais je n'ai rien reçu. Commande {ref}.",
            ),
            "product_question": ("{item} convient-il aux pieds plats ?", "{item} est-il vraiment imperméable ?"),
            "sizing_fit": (
                "Je fais du {size} mais {item} est trop petit. Puis-je l'échanger contre du {other_size} ?",
                "Entre {size} et {other_size}, que me conseillez-vous ?",
            ),
            "account_access": (
                "Je ne reçois pas l'e-mail de réinitialisation du mot de passe.",
                "Mon compte est bloqué après plusieurs tentatives.",
            ),
            "complaint": (
                "La qualité de {item} est décevante pour ce prix.",
                "Une semaine sans réponse du service client, c'est trop.",
            ),
            "praise": ("{item} est super confortable, merci !", "L'échange a été rapide et simple, bravo."),
            "data_privacy": (
                "Merci de supprimer toutes mes données personnelles.",
                "Je demande l'accès à toutes les données que vous détenez sur moi (RGPD).",
            ),
            "upgrade_inquiry": (
                "Combien coûte l'offre Business pour {seats} utilisateurs ?",
                "Nous voulons plus de fonctionnalités, quelle offre choisir ?",
            ),
        },
        "opener": {
            "very_negative": ("C'est inadmissible !", "Je suis furieux."),
            "negative": ("Je suis assez déçue.", "C'est agaçant."),
            "neutral": ("Petite question.", ""),
            "positive": ("J'adore vos produits !", ""),
        },
        "closer": {
            "very_negative": ("J'exige une solution aujourd'hui.",),
            "negative": ("Merci de régler cela.",),
            "neutral": ("Merci.",),
            "positive": ("Merci beaucoup !",),
        },
        "frame": ("Bonjour,", "Cordialement, {first_name}"),
        "reply": (
            "Bonjour {first_name}, merci pour votre message. {answer} Cordialement, {agent} (Service client Northwind)",
        ),
        "answer": {
            "billing_question": ("Le second débit est une préautorisation qui disparaîtra sous 3 à 5 jours ouvrés.",),
            "refund_request": ("Le remboursement est émis ; il apparaîtra sous 5 à 7 jours ouvrés.",),
            "cancel_subscription": ("L'abonnement prendra fin à l'issue de la période en cours.",),
            "technical_issue": ("Nous avons corrigé le problème ; merci de réessayer.",),
            "shipping_delay": ("Nous avons ouvert une enquête auprès du transporteur (jusqu'à 5 jours ouvrés).",),
            "product_question": ("Tous les détails sont dans notre guide produit ; nous vous avons envoyé le lien.",),
            "sizing_fit": ("Nous avons lancé un échange gratuit ; l'étiquette est dans votre boîte mail.",),
            "account_access": ("Nous vous avons envoyé un nouveau lien, valable 60 minutes.",),
            "complaint": ("Nous sommes désolés ; votre réclamation a été transmise à l'équipe concernée.",),
            "praise": ("Merci pour votre message, nous le transmettons à l'équipe !",),
            "data_privacy": ("Votre demande est enregistrée et sera traitée sous 30 jours.",),
            "upgrade_inquiry": ("L'offre Business coûte 12,75 $ par utilisateur et par mois en paiement annuel.",),
        },
        "final": ("Parfait, nous clôturons le dossier.", "Désolés ; nous avons transmis le dossier à un spécialiste."),
    },
}
FOLLOW_UP = {
    "es": ("Gracias, ya está resuelto.", "Sigue sin funcionar."),
    "de": ("Danke, jetzt klappt es.", "Es funktioniert immer noch nicht."),
    "fr": ("Merci, c'est réglé.", "Ça ne marche toujours pas."),
}
