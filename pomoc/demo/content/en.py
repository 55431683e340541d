"""English demo content."""

from pomoc.demo.content import Conversation as C
from pomoc.demo.content import Language

LANGUAGE = Language(
    code="en",
    country_code="44",
    first_names_female=("Olivia", "Amelia", "Isla", "Grace", "Sophie", "Chloe", "Hannah", "Ruth", "Megan",
                        "Lucy", "Eleanor", "Harriet", "Priya", "Aisha", "Zoe", "Laura", "Fiona", "Beth"),
    first_names_male=("Oliver", "George", "Harry", "Jack", "Thomas", "James", "William", "Daniel", "Samuel",
                      "Rohan", "Callum", "Owen", "Edward", "Patrick", "Liam", "Nathan", "Rhys", "Ben"),
    last_names=tuple((n, n) for n in (
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker",
        "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke",
        "Patel", "Khan", "Turner", "Baker", "Morgan", "Price", "Bennett", "Fletcher", "Doyle", "Murphy",
    )),
    companies=(
        ("Harbourline Logistics", "harbourline.example"), ("Brightwell Dental", "brightwell-dental.example"),
        ("Oakridge Property Group", "oakridge.example"), ("Kestrel Outdoor", "kestrel-outdoor.example"),
        ("Marlow & Finch Solicitors", "marlowfinch.example"), ("Northgate Schools Trust", "northgate.example"),
        ("Copperleaf Coffee", "copperleaf.example"), ("Tidewater Energy", "tidewater.example"),
    ),
    free_mail_domains=("mail.example", "inbox.example", "post.example"),
    products=("the Pro subscription", "the mobile app", "the booking module", "the invoicing add-on",
              "the analytics dashboard", "the Starter plan", "the online shop"),
    plans=("Starter", "Team", "Business", "Enterprise"),
    devices=("iPhone 14", "Samsung Galaxy S23", "Pixel 8", "Windows laptop", "MacBook Air", "iPad"),
    cities=("Leeds", "Bristol", "Manchester", "Glasgow", "Cardiff", "Norwich", "York", "Brighton"),
    greetings=("Hello,", "Hi there,", "Good morning,", "Dear support team,", "Hi,", "Good afternoon,"),
    signoffs=("Thanks,\n{name}", "Kind regards,\n{name}", "Many thanks,\n{name}", "Best wishes,\n{name}",
              "Cheers,\n{name}", "Regards,\n{name}"),
    agent_greetings=("Hi {first},", "Hello {first},", "Dear {first},", "Hi {first}, thanks for getting in touch."),
    agent_signoffs=("Kind regards,\n{agent}", "Best wishes,\n{agent}\nCustomer Support", "Thanks,\n{agent}",
                    "All the best,\n{agent}"),
    asides=("I'm writing from my phone, so apologies for any typos.",
            "This is quite urgent for us, so a quick answer would be much appreciated.",
            "A colleague of mine had the same problem last month.",
            "I've attached nothing yet, but can send screenshots if that helps.",
            "We have been customers for years and this has never happened before.",
            "I tried calling but the line was busy.",
            "Please reply to this address rather than my work one."),
    thanks=("That did the trick, thank you!", "All working now. Thanks for the quick help.",
            "Perfect, that's sorted. Much appreciated.", "Brilliant, thank you so much.",
            "Thanks, it works as expected now."),
    notes=("Checked the account history, nothing unusual.", "Customer is on an annual contract, be nice.",
           "Similar report came in yesterday, might be related.", "Escalated to second line, waiting for them.",
           "Called the customer, no answer. Will try again tomorrow.", "Logs attached in the internal wiki."),
    chasers=("Any news on this, please?", "Just checking in: is there an update?",
             "It's been a couple of days and I haven't heard back. Could you let me know where this stands?",
             "Sorry to chase, but this is holding us up. Any progress?"),
    holding_replies=("Thanks for your patience. We are still looking into this and I'll update you as soon as I "
                     "know more.",
                     "I've passed this to our specialists and asked them to prioritise it. I'll be back in touch "
                     "shortly.",
                     "We have reproduced the problem and are working on a fix. I'll let you know when it's done.",
                     "No news yet, I'm afraid, but it hasn't been forgotten. Expect an update by tomorrow."),
    agent_questions=("Could you send me a screenshot of what you see?",
                     "Which browser and version are you using?",
                     "Could you confirm the e-mail address on the account, please?",
                     "Does this happen every time, or only now and then?"),
    customer_answers=("Sure, the screenshot is attached.", "I'm on the latest version of Chrome, on {device}.",
                      "Yes, it's this address I'm writing from.",
                      "Every time, I'm afraid. I tried again this morning in {city}."),
    conversations=(
        C("Technical", ("login",), ("Can't log in after resetting my password", "Password reset not working"),
          "I reset my password this morning, but the login page still says my details are wrong. "
          "I've tried twice on my {device} and once on a computer.",
          "Sorry about that. The reset link can only be used once, and the second attempt may have "
          "invalidated the first. I've cleared the lock on your account; please request one new link and "
          "use it within 30 minutes.",
          "New link worked on the computer, but the app on my {device} still logs me out.",
          "Thanks for confirming. Please sign out of the app completely and sign in again; the app keeps the "
          "old session until then. I'll close this ticket, but reply here if it happens again.",
          "Account was locked after 10 attempts, unlocked manually.", 3),
        C("Billing", ("invoice",), ("Invoice {invoice} seems to be wrong", "Question about invoice {invoice}"),
          "Our invoice {invoice} shows {amount}, but we agreed on the {plan} plan which should be cheaper. "
          "Could you check it before we pay?",
          "You're right, the invoice was generated with the old price list. I've asked our billing team to "
          "issue a credit note and a corrected invoice.",
          "Thank you. Will the corrected invoice have a new due date?",
          "Yes, the new invoice is due 14 days from today and the credit note cancels the old one completely. "
          "Both documents are now in your account under Billing.",
          "Old price list still used for accounts migrated in March - raised with finance."),
        C("Billing", ("refund",), ("Refund for a double charge", "I was charged twice this month"),
          "My card was charged {amount} twice on {date} for the same subscription. Please refund one of them.",
          "I can see both payments, sorry for the trouble. I've refunded the duplicate; it usually takes "
          "3 to 5 working days to appear on your statement.",
          "It's been a week and I still don't see the money back.",
          "I've checked with the payment provider: the refund was sent on the day I wrote. Your bank should "
          "show it as a pending credit. If it's not there by Friday, send me a screenshot of the statement.",
          "Payment gateway retried after a timeout, that's why the double charge.", 3),
        C("Sales", ("pricing",), ("Pricing for {n} users", "Quote request for our team"),
          "We're a team of {n} people in {city} looking at {product}. Do you offer discounts for annual billing?",
          "Thanks for your interest! For {n} users on annual billing we offer two months free. I've attached "
          "a quote for the {plan} plan; happy to arrange a short call if you have questions.",
          "Looks good. Can we start with a trial before committing?",
          "Of course. I've activated a 30-day trial for your team, no card needed. I'll check in with you "
          "halfway through to see how it's going.", "Warm lead, follow up in two weeks.", 2),
        C("Support", ("delivery",), ("Where is my order {order}?", "Order {order} not delivered yet"),
          "I ordered on {date} (order {order}) and the tracking page hasn't changed for four days.",
          "I've contacted the courier: the parcel is at their depot in {city} because of a wrong house "
          "number. They'll deliver it tomorrow.",
          "Still nothing today, and nobody called.",
          "I'm sorry, that's not good enough. I've asked for a replacement to be sent by express today, and "
          "the original parcel will come back to us. You'll get a new tracking number by e-mail.",
          "Courier depot confirmed address issue.", 3),
        C("Technical", ("bug", "mobile"), ("App crashes when I open a photo", "Mobile app keeps crashing"),
          "Since the last update the app crashes every time I open a photo on my {device}.",
          "Thanks for reporting this. Our developers found the bug; it affects large photos only. A fix is in "
          "the next release, expected this week. Until then the web version works normally.",
          "Update installed, no more crashes.",
          "Great to hear! Closing this one. Thanks for your patience.",
          "Linked to the crash report from the app store console.", 3),
        C("Support", ("account",), ("How do I add a colleague?", "Adding a new user to our account"),
          "We've hired someone new and I'd like to give them access to {product}. How do I do that?",
          "Go to Settings, then Team, and click Invite. Your colleague will receive an e-mail with a link. "
          "On the {plan} plan you can add up to {n} users.",
          "Found it, but the invite e-mail never arrived.",
          "Invites sometimes land in spam. I've resent it from our side; if it still doesn't show up, check "
          "that your company mail server accepts messages from our domain.", "", 1),
        C("Billing", ("cancellation",), ("Cancel my subscription", "Please cancel our account"),
          "We've decided to stop using {product}. Please cancel our subscription at the end of the month.",
          "Sorry to see you go. I've scheduled the cancellation for the end of the billing period; you keep "
          "full access until then. May I ask what made you decide to leave?",
          "Mostly the price; we're a small team and don't use all the features.",
          "Thank you for the honest feedback. If you ever come back, the Starter plan might fit better. Your "
          "data stays available for export for 90 days.", "Churn reason: price. Offered Starter.", 2),
        C("Technical", ("integration", "api"), ("API returns 401 since this morning", "Integration stopped working"),
          "Our integration suddenly gets 401 errors from your API. Nothing changed on our side.",
          "The token your integration uses was created by a user who was deactivated yesterday. Tokens stop "
          "working when their owner is removed. Please create a new token with an active admin account.",
          "Done, and everything is flowing again. Could you warn us next time?",
          "Fair point. I've passed it on as a feature request: a warning to admins before a deactivation "
          "affects API tokens.", "Feature request logged: warn about tokens before deactivating users.", 4),
        C("Support", ("feedback",), ("Compliment for your team", "Thank you to your colleague"),
          "I just wanted to say your colleague on the phone yesterday was extremely helpful and patient.",
          "Thank you so much for taking the time to write! I'll pass your kind words on to the team.",
          "You're welcome. Keep it up!",
          "We will. Have a lovely week!", "", 1),
        C("Technical", ("performance",), ("Dashboard is very slow", "Reports take ages to load"),
          "The analytics dashboard takes over a minute to load since Monday. Is something wrong?",
          "We had a slow database node on Monday and Tuesday. It's been replaced; could you try again and "
          "tell me how long it takes now?",
          "Much better, about three seconds.",
          "Good, that's the normal time for a report covering a full year. Closing this ticket.",
          "Incident on node db-3 on Monday, see status page.", 3),
        C("Sales", ("demo",), ("Request a demo", "Can we book a product demo?"),
          "We're evaluating help desk tools for our support team in {city}. Could you show us {product}?",
          "Gladly! I have slots on Tuesday at 10:00 and Thursday at 14:00. Which suits you better?",
          "Thursday works. Please send an invite to me and my manager.",
          "Invitation sent for Thursday at 14:00. Looking forward to meeting you both!", "", 2),
        C("Support", ("returns",), ("Return a damaged item", "Item arrived broken"),
          "The item from order {order} arrived with a cracked case. I'd like to return it.",
          "I'm sorry it arrived damaged. I've e-mailed you a prepaid return label; once the courier collects "
          "it we'll send a replacement straight away.",
          "Label printed and parcel handed over this morning.",
          "Thank you! The replacement has been dispatched and should arrive within two working days.",
          "Third damaged parcel from this warehouse this week.", 2),
        C("Technical", ("email",), ("Notifications not arriving", "I don't get any e-mail notifications"),
          "I stopped receiving e-mail notifications a few days ago. Other e-mails from you arrive fine.",
          "Your address was on our bounce list after your mailbox was full for a while. I've removed it, so "
          "notifications will resume.",
          "Got one a minute ago. Thanks!",
          "Perfect. Let us know if anything else goes missing.", "Removed from bounce list.", 2),
        C("Billing", ("vat",), ("VAT number missing on invoice", "Please add our VAT number"),
          "Our invoices don't show our VAT number, so our accountant can't process them.",
          "You can add the VAT number under Settings > Billing details; it will appear on all future "
          "invoices. I've also reissued invoice {invoice} with the number on it.",
          "Added. Could the last three invoices be reissued too?",
          "Done: the last three invoices have been reissued and are in your account.", "", 2),
        C("Support", ("account", "gdpr"), ("Delete my personal data", "Data deletion request"),
          "Please delete all personal data you hold about me, in line with GDPR.",
          "We've received your request. To confirm it's you, please reply from the address registered on the "
          "account. We'll complete the deletion within 30 days.",
          "Replying from my registered address as asked.",
          "Thank you, identity confirmed. Your data has been deleted; invoices we must keep by law are "
          "retained for the legal period only.", "GDPR request - deadline 30 days from receipt.", 3),
        C("Technical", ("bug",), ("Export to CSV is missing columns", "CSV export incomplete"),
          "When I export the customer list to CSV, the phone and company columns are empty.",
          "Thanks for the detailed report. I could reproduce it: the export ignores fields added after the "
          "account was created. Our developers are working on it.",
          "Any news? We need the export for our quarterly report.",
          "The fix went live this morning. A new export should include all columns now.",
          "Reproduced on staging, bug filed.", 3),
        C("Sales", ("upgrade",), ("Upgrade to {plan}", "Moving to a bigger plan"),
          "We'd like to upgrade from Starter to {plan}. Will we lose any data?",
          "Not at all: upgrading keeps all your data and settings. You only pay the difference for the rest "
          "of the billing period.",
          "Great, please go ahead.",
          "Your account is now on the {plan} plan. Enjoy the new features!", "", 2),
        C("Support", ("booking",), ("Change my booking for {date}", "Need to reschedule an appointment"),
          "I have a booking for {date} but need to move it to the following week. Is that possible?",
          "Of course. I can offer the following Tuesday or Wednesday at the same time. Which would you prefer?",
          "Wednesday please.",
          "Done! You'll receive an updated confirmation by e-mail and a reminder the day before.", "", 1),
        C("Technical", ("security",), ("Suspicious login e-mail", "Did someone log into my account?"),
          "I received an e-mail about a new login from a place I've never been. Was my account hacked?",
          "I've checked: the login came from a mobile network whose addresses are registered far away. To be "
          "safe, I've ended all sessions; please change your password and turn on two-factor authentication.",
          "Password changed and two-factor is on.",
          "Excellent, your account is well protected now. Closing this ticket.",
          "IP belongs to a mobile carrier, likely false alarm.", 4),
        C("Billing", ("payment",), ("Card payment declined", "Payment keeps failing"),
          "The payment for our renewal keeps getting declined, but the card works everywhere else.",
          "Your bank requires 3-D Secure confirmation, which our old payment page didn't ask for. Please try "
          "again; you should now get a confirmation prompt from your bank.",
          "Worked this time. Thanks.",
          "Glad to hear it! Your subscription is renewed until next year.", "", 3),
        C("Support", ("howto",), ("How do I change the language?", "Switching the interface language"),
          "Some of my colleagues would prefer the interface in Polish. Is that possible?",
          "Yes: each person can choose their language under Profile > Language. It only affects their own "
          "view.",
          "Found it, thanks. Can customers get e-mails in their own language too?",
          "Yes, e-mails use the language set on the contact. You can set it on the contact's profile.", "", 1),
        C("Technical", ("outage",), ("Service is down", "Nothing loads, is there an outage?"),
          "None of us can load {product} since about 9 o'clock. We get a blank page.",
          "We're aware of an outage affecting some customers and our engineers are working on it. I'll update "
          "you as soon as it's resolved.",
          "It's back for us now.",
          "Yes, the service was restored at 10:40. We'll publish a full incident report on our status page.",
          "Major incident, linked to the status page entry.", 4),
        C("Sales", ("partnership",), ("Partnership enquiry", "Reselling your product"),
          "We're an IT consultancy in {city} and would like to resell {product} to our clients.",
          "Thanks for reaching out! We have a partner programme with a reseller discount. I've forwarded your "
          "details to our partner manager, who'll contact you this week.",
          "Still waiting to hear from them.",
          "Apologies for the delay. The partner manager was travelling; she'll call you tomorrow morning.",
          "Forwarded to partners team.", 2),
        C("Support", ("complaint",), ("Very disappointed with the service", "Complaint about support"),
          "I've been waiting for an answer to my question for over a week. This is not acceptable.",
          "I'm truly sorry for the wait; your message was routed to the wrong team. I'm handling it myself "
          "now and will get you an answer today.",
          "Thank you for finally getting back to me.",
          "As promised, your question is answered and I've added a month of free service to your account as "
          "an apology.", "Routing rule sent it to Sales. Fixed the rule.", 3),
        C("Technical", ("import",), ("Import from spreadsheet fails", "Can't import contacts"),
          "Importing our contacts from a spreadsheet stops at row {n} with an unclear error.",
          "That row contains a date in a format we don't recognise. Please use YYYY-MM-DD; the rest of the "
          "file looks fine.",
          "Fixed the dates and the import finished.",
          "Great! All contacts are now in your account.", "", 2),
    ),
)
