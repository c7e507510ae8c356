// A small knowledge base in en/zh/es shared by the retrieval, policy and assistant tests.
#ifndef KEFU_TESTS_CORE_TEST_KB_H_
#define KEFU_TESTS_CORE_TEST_KB_H_

namespace kefu_test {

inline const char* kTestKb = R"json({
  "kefu_kb": 1,
  "shop": {
    "id": "global-select",
    "name": "Global Select",
    "default_language": "en",
    "languages": ["en", "zh", "es"],
    "timezone": "Europe/Berlin",
    "business_hours": {
      "mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
      "thu": [["09:00", "18:00"]], "fri": [["09:00", "17:00"]], "sat": [], "sun": []
    },
    "escalation": {"endpoint": "http://127.0.0.1:8787"},
    "contact_email": "help@global-select.example"
  },
  "entries": [
    {
      "id": "delivery-time-eu",
      "intent": "delivery_period",
      "questions": {
        "en": ["How long does delivery to Europe take?", "When will my parcel arrive?"],
        "zh": ["寄到欧洲需要多长时间？", "包裹什么时候到？"],
        "es": ["¿Cuánto tarda el envío a Europa?", "¿Cuándo llega mi paquete?"]
      },
      "answers": {
        "en": "Orders to the EU arrive in 3-5 working days.",
        "zh": "寄往欧盟的订单3-5个工作日送达。",
        "es": "Los pedidos a la UE llegan en 3-5 días laborables."
      }
    },
    {
      "id": "shipping-cost",
      "intent": "shipping_cost",
      "questions": {
        "en": ["How much does shipping cost?", "Is there free shipping?"],
        "zh": ["运费多少钱？", "有免运费吗？"],
        "es": ["¿Cuánto cuesta el envío?", "¿Hay envío gratis?"]
      },
      "answers": {
        "en": "Shipping is free over 50 EUR, otherwise 4.90 EUR.",
        "es": "El envío es gratis a partir de 50 EUR; si no, 4,90 EUR."
      }
    },
    {
      "id": "return-policy",
      "intent": "check_refund_policy",
      "questions": {
        "en": ["What is your return policy?", "How many days do I have to return an item?"],
        "zh": ["退货政策是什么？", "我有几天时间退货？"],
        "es": ["¿Cuál es la política de devoluciones?"]
      },
      "answers": {
        "en": "You can return items within 30 days.",
        "zh": "您可以在30天内退货。",
        "es": "Puedes devolver los artículos en un plazo de 30 días."
      }
    },
    {
      "id": "payment-methods",
      "intent": "check_payment_methods",
      "questions": {
        "en": ["Which payment methods do you accept?", "Can I pay with PayPal?"],
        "es": ["¿Qué métodos de pago aceptan?"]
      },
      "answers": {
        "en": "We accept Visa, Mastercard, PayPal and Alipay.",
        "es": "Aceptamos Visa, Mastercard, PayPal y Alipay."
      }
    },
    {
      "id": "password-reset",
      "intent": "recover_password",
      "questions": {
        "en": ["I forgot my password", "How do I reset my password?"]
      },
      "answers": {"en": "Use the 'Forgot password' link on the login page."}
    },
    {
      "id": "track-order",
      "intent": "track_order",
      "questions": {
        "en": ["Where is my order?", "How can I track my order?"],
        "zh": ["我的订单在哪里？"]
      },
      "answers": {"en": "Use the tracking link in your confirmation e-mail.", "zh": "请使用确认邮件中的跟踪链接。"}
    }
  ]
})json";

}  // namespace kefu_test

#endif  // KEFU_TESTS_CORE_TEST_KB_H_
