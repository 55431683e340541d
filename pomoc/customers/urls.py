from django.urls import path

from pomoc.customers import views

app_name = "customers"

urlpatterns = [
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact"),
    path("contacts/<int:contact_id>/timeline/", views.contact_timeline, name="contact-timeline"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/identities/", views.identity_add, name="contact-identity-add"),
    path("contacts/<int:contact_id>/identities/<int:identity_id>/remove/", views.identity_remove,
         name="contact-identity-remove"),
    path("contacts/<int:contact_id>/tags/", views.tag_add, name="contact-tag-add"),
    path("contacts/<int:contact_id>/tags/remove/", views.tag_remove, name="contact-tag-remove"),
    path("contacts/<int:contact_id>/merge/", views.contact_merge, name="contact-merge"),
    path("contacts/<int:contact_id>/export/", views.contact_export, name="contact-export"),
    path("contacts/<int:contact_id>/erase/", views.contact_erase, name="contact-erase"),
    path("contacts/merges/<int:merge_id>/undo/", views.merge_undo, name="merge-undo"),
    path("contacts/proposals/", views.proposal_list, name="proposals"),
    path("contacts/proposals/<int:proposal_id>/accept/", views.proposal_accept, name="proposal-accept"),
    path("contacts/proposals/<int:proposal_id>/dismiss/", views.proposal_dismiss, name="proposal-dismiss"),
    path("companies/<int:company_id>/", views.company_detail, name="company"),
    path("companies/<int:company_id>/edit/", views.company_edit, name="company-edit"),
]
