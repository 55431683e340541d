from django.urls import path

from pomoc.portal import views, views_accounts, views_brand, views_contact, views_tickets

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # customer accounts
    path("me/signup/", views_accounts.signup, name="signup"),
    path("me/signup/sent/", views_accounts.signup_sent, name="signup-sent"),
    path("me/confirm/<str:token>/", views_accounts.signup_confirm, name="signup-confirm"),
    path("me/login/", views_accounts.login_view, name="login"),
    path("me/login/link/", views_accounts.login_link_request, name="login-link-request"),
    path("me/login/link/<str:token>/", views_accounts.login_link, name="login-link"),
    path("me/logout/", views_accounts.logout_view, name="logout"),
    path("me/password-reset/", views_accounts.password_reset, name="password-reset"),
    path("me/reset/<uidb64>/<token>/", views_accounts.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("me/", views_accounts.profile, name="profile"),
    path("me/password/", views_accounts.password_change, name="password-change"),
    # the customer's tickets
    path("my/tickets/", views_tickets.my_tickets, name="my-tickets"),
    path("my/tickets/<int:number>/", views_tickets.ticket, name="ticket"),
    path("my/tickets/<int:number>/reply/", views_tickets.ticket_reply, name="ticket-reply"),
    path("my/tickets/<int:number>/status/", views_tickets.ticket_status, name="ticket-status"),
    path("my/files/<str:public_id>/", views_tickets.attachment, name="attachment"),
    # the contact form (channel kind "web")
    path("contact/", views_contact.contact, name="contact"),
    path("contact/embed/", views_contact.contact_embed, name="contact-embed"),
    path("contact/thanks/", views_contact.contact_thanks, name="contact-thanks"),
    path("contact/confirm/<str:token>/", views_contact.contact_confirm, name="contact-confirm"),
    path("contact/suggest/", views_contact.contact_suggest, name="contact-suggest"),
    path("contact/visit/", views_contact.contact_visit, name="contact-visit"),
    # the look
    path("portal/brand-<int:version>.css", views_brand.brand_css, name="brand-css"),
    path("portal/logo-<int:version>", views_brand.logo, name="logo"),
    path("manage/portal/", views_brand.settings_page, name="settings"),
]
