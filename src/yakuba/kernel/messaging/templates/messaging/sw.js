/* Service worker of {{ request.municipality.name|escapejs }}: shows Web Push notifications and opens their
   page when one is tapped. Served from the town's root (see kernel/messaging/views_push.py). */
"use strict";

const FALLBACK_TITLE = "{{ request.municipality.name|escapejs }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function pageUrl(value) {
  // Only http(s) pages; anything else opens the town's top page.
  try {
    const url = new URL(value, self.registration.scope);
    if (url.protocol === "https:" || url.protocol === "http:") {
      return url.href;
    }
  } catch (error) {
    // fall through
  }
  return self.registration.scope;
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (error) {
      data = {body: event.data.text()};
    }
  }
  const options = {
    body: data.body || "",
    data: {url: pageUrl(data.url || "")},
    requireInteraction: Boolean(data.urgent),
    lang: data.lang || "ja",
  };
  if (data.tag) {
    // The same tag as the push Topic: a resent message replaces the one already shown.
    options.tag = data.tag;
  }
  event.waitUntil(self.registration.showNotification(data.title || FALLBACK_TITLE, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || self.registration.scope;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    for (const client of windows) {
      if (client.url === url && "focus" in client) {
        return client.focus();
      }
    }
    if (self.clients.openWindow) {
      return self.clients.openWindow(url);
    }
    return undefined;
  })());
});
