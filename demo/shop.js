// Global Select demo storefront. Plain browser script: the page's CSP allows no inline code,
// so everything interactive lives here. The Kefu assistant is embedded by the <script async
// src="/kefu/kefu.js"> tag at the end of index.html; this file only talks to it through the
// public command queue, the way a shop's own developers would.

// Command queue: safe to call before kefu.js has loaded (it replays window.Kefu.q on start).
// If kefu.js happened to load first, the real function is kept.
window.Kefu = window.Kefu || function () { (window.Kefu.q = window.Kefu.q || []).push(arguments); };
const queueStub = window.Kefu;

(() => {
  'use strict';

  // Products, priced in EUR (the shop's accounting currency). `from` is the warehouse that
  // stocks the item; it is shown on the card so the assistant's delivery answers make sense.
  const PRODUCTS = [
    { sku: 'GS-TEA-01', price: 64.0, image: '/img/tea-set.svg', from: 'both',
      name: { en: 'Jingdezhen Porcelain Tea Set', zh: '景德镇青花瓷茶具套装', es: 'Juego de té de porcelana de Jingdezhen' },
      blurb: { en: 'Hand-painted teapot and four cups, 600 ml.', zh: '手绘茶壶配四只茶杯，容量 600 毫升。', es: 'Tetera pintada a mano y cuatro tazas, 600 ml.' } },
    { sku: 'GS-SCF-02', price: 39.0, image: '/img/scarf.svg', from: 'rotterdam',
      name: { en: 'Merino Wool Scarf', zh: '美利奴羊毛围巾', es: 'Bufanda de lana merino' },
      blurb: { en: 'Extra-fine merino, 180 × 30 cm, made in Portugal.', zh: '超细美利奴羊毛，180 × 30 厘米，葡萄牙制造。', es: 'Merino extrafino, 180 × 30 cm, hecha en Portugal.' } },
    { sku: 'GS-AUD-03', price: 79.0, image: '/img/earbuds.svg', from: 'shenzhen',
      name: { en: 'Pulse Mini Wireless Earbuds', zh: 'Pulse Mini 无线耳机', es: 'Auriculares inalámbricos Pulse Mini' },
      blurb: { en: 'Noise cancelling, 30 h with case, USB-C. 2-year warranty.', zh: '主动降噪，配合充电盒续航 30 小时，USB-C，保修 2 年。', es: 'Cancelación de ruido, 30 h con estuche, USB-C. Garantía de 2 años.' } },
    { sku: 'GS-WAL-04', price: 29.0, image: '/img/wallet.svg', from: 'rotterdam',
      name: { en: 'Leather Card Wallet', zh: '真皮卡包', es: 'Tarjetero de piel' },
      blurb: { en: 'Vegetable-tanned leather, holds 6 cards.', zh: '植鞣皮革，可放 6 张卡。', es: 'Piel de curtido vegetal, para 6 tarjetas.' } },
    { sku: 'GS-DRP-05', price: 24.0, image: '/img/dripper.svg', from: 'both',
      name: { en: 'Ceramic Pour-Over Dripper', zh: '陶瓷手冲滤杯', es: 'Cafetera de goteo de cerámica' },
      blurb: { en: 'Arita porcelain, fits size 02 filters, 1–4 cups.', zh: '有田烧瓷器，适用 02 号滤纸，1–4 杯。', es: 'Porcelana de Arita, filtros tamaño 02, 1–4 tazas.' } },
    { sku: 'GS-TOT-06', price: 19.5, image: '/img/tote.svg', from: 'rotterdam',
      name: { en: 'Organic Linen Tote', zh: '有机亚麻托特包', es: 'Bolsa tote de lino orgánico' },
      blurb: { en: 'Belgian linen, 40 × 38 cm, inner pocket.', zh: '比利时亚麻，40 × 38 厘米，带内袋。', es: 'Lino belga, 40 × 38 cm, bolsillo interior.' } },
  ];

  // Ship-to regions with the standard shipping fee and free-shipping threshold (EUR) from the
  // knowledge base (demo/kb.json, entries shipping-cost and free-shipping). Rates are
  // indicative for the demo; the real shop converts daily from ECB reference rates.
  const REGIONS = [
    { id: 'eu', currency: 'EUR', rate: 1, ship: 4.95, free: 50, label: { en: 'EU', zh: '欧盟', es: 'UE' } },
    { id: 'uk', currency: 'GBP', rate: 0.85, ship: 5.95, free: 60, label: { en: 'United Kingdom', zh: '英国', es: 'Reino Unido' } },
    { id: 'us', currency: 'USD', rate: 1.1, ship: 9.95, free: 80, label: { en: 'United States', zh: '美国', es: 'Estados Unidos' } },
    { id: 'ca', currency: 'CAD', rate: 1.5, ship: 9.95, free: 80, label: { en: 'Canada', zh: '加拿大', es: 'Canadá' } },
    { id: 'cn', currency: 'CNY', rate: 7.9, ship: 4.95, free: 50, label: { en: 'Mainland China', zh: '中国大陆', es: 'China continental' } },
    { id: 'hk', currency: 'HKD', rate: 8.6, ship: 4.95, free: 50, label: { en: 'Hong Kong', zh: '香港', es: 'Hong Kong' } },
    { id: 'tw', currency: 'TWD', rate: 35, ship: 4.95, free: 50, label: { en: 'Taiwan', zh: '台湾', es: 'Taiwán' } },
    { id: 'jp', currency: 'JPY', rate: 165, ship: 7.95, free: 70, label: { en: 'Japan', zh: '日本', es: 'Japón' } },
    { id: 'kr', currency: 'KRW', rate: 1480, ship: 7.95, free: 70, label: { en: 'South Korea', zh: '韩国', es: 'Corea del Sur' } },
    { id: 'au', currency: 'AUD', rate: 1.65, ship: 12.95, free: 100, label: { en: 'Australia', zh: '澳大利亚', es: 'Australia' } },
    { id: 'nz', currency: 'NZD', rate: 1.8, ship: 12.95, free: 100, label: { en: 'New Zealand', zh: '新西兰', es: 'Nueva Zelanda' } },
    { id: 'latam', currency: 'USD', rate: 1.1, ship: 14.95, free: 120, label: { en: 'Latin America', zh: '拉丁美洲', es: 'Latinoamérica' } },
    { id: 'world', currency: 'EUR', rate: 1, ship: 14.95, free: 120, label: { en: 'Rest of the world', zh: '其他国家和地区', es: 'Resto del mundo' } },
  ];

  const LOCALES = { en: 'en-GB', zh: 'zh-CN', es: 'es-ES' };

  const STRINGS = {
    en: {
      skip: 'Skip to products', navShop: 'Shop', navShipping: 'Shipping', navReturns: 'Returns',
      language: 'Language', region: 'Ship to / currency', cart: 'Cart',
      heroEyebrow: 'Rotterdam · Shenzhen · worldwide',
      heroTitle: 'Curated goods from Europe and Asia, delivered to your door.',
      heroLead: 'Duties included for the EU, UK and US. Prices in your currency. Questions? Our assistant answers in your language, day and night.',
      heroCta: 'Shop bestsellers',
      uspShipping: 'Ships in 1 working day from Rotterdam or Shenzhen',
      uspReturns: '30-day returns, free from the EU, UK and US',
      uspDuties: 'No surprise customs fees in the EU, UK and US',
      bestsellers: 'Bestsellers', priceNote: 'Prices include VAT where applicable.',
      shippingTitle: 'Shipping',
      shippingText: 'Orders paid by 14:00 (Amsterdam time) on a working day leave the same day. Standard delivery: EU 2–5 working days, UK 3–5, US and Canada 5–8, China, Hong Kong and Taiwan 3–6, Japan and Korea 4–7, Australia and New Zealand 6–10, Latin America 10–18. Express with DHL Express or SF Express.',
      customsText: 'Customs: duties and import VAT are included for the EU, UK and US (DDP). Elsewhere, local taxes are paid on delivery (DDU).',
      returnsTitle: 'Returns',
      returnsText: 'Return most items within 30 days of delivery: start in Account › Orders › Return items and print the label or show the QR code at a drop-off point. Free from the EU, UK and US; €9.95 from other countries. Refunds within 3 working days of your return arriving.',
      askAssistant: 'Ask our assistant', yourCart: 'Your cart', cartEmpty: 'Your cart is empty.',
      subtotal: 'Subtotal', shipping: 'Standard shipping', total: 'Total', checkout: 'Checkout',
      checkoutNote: 'This is a demo shop: checkout is disabled. Try asking the assistant about shipping, customs or returns.',
      footerAbout: 'Global Select B.V. · Rotterdam, the Netherlands · Warehouses in Rotterdam and Shenzhen',
      customerService: 'Customer service', footerShipping: 'Shipping & delivery', footerReturns: 'Returns & refunds',
      footerHelp: 'Help & chat', hoursTitle: 'Opening hours',
      hoursText: 'Mon–Fri 09:00–18:00 · Sat 10:00–14:00 · Sun closed (Amsterdam time)',
      payments: 'Visa · Mastercard · PayPal · Alipay · WeChat Pay · Klarna · iDEAL · Bizum',
      addToCart: 'Add to cart', added: 'Added to cart', remove: 'Remove', free: 'Free',
      shipsFrom: { both: 'Ships from Rotterdam & Shenzhen', rotterdam: 'Ships from Rotterdam', shenzhen: 'Ships from Shenzhen' },
      promo: '{region}: free standard shipping on orders over {amount} · 30-day returns',
      freeReached: 'You get free standard shipping.',
      freeMissing: 'Add {amount} more for free standard shipping.',
      qty: 'Quantity', increase: 'One more', decrease: 'One less',
      assistantLoading: 'The assistant is still loading. Please try again in a moment.',
      escalated: 'Thanks! A member of our team will reply here.',
      closeCart: 'Close cart',
    },
    zh: {
      skip: '跳到商品', navShop: '商店', navShipping: '配送', navReturns: '退货',
      language: '语言', region: '配送地区 / 货币', cart: '购物车',
      heroEyebrow: '鹿特丹 · 深圳 · 全球配送',
      heroTitle: '精选欧洲与亚洲好物，送货上门。',
      heroLead: '欧盟、英国和美国订单已含关税。以你的货币显示价格。有问题？我们的智能助手全天候用你的语言解答。',
      heroCta: '选购热销商品',
      uspShipping: '鹿特丹或深圳仓 1 个工作日内发货',
      uspReturns: '30 天退货，欧盟、英国和美国免费退货',
      uspDuties: '欧盟、英国和美国无额外关税',
      bestsellers: '热销商品', priceNote: '价格已按规定包含增值税。',
      shippingTitle: '配送',
      shippingText: '工作日阿姆斯特丹时间 14:00 前付款的订单当天发出。标准配送：欧盟 2–5 个工作日，英国 3–5 个，美国和加拿大 5–8 个，中国大陆、香港和台湾 3–6 个，日本和韩国 4–7 个，澳大利亚和新西兰 6–10 个，拉丁美洲 10–18 个。特快由 DHL Express 或顺丰速运承运。',
      customsText: '关税：欧盟、英国和美国订单已包含关税和进口增值税（DDP）。其他地区的当地税费在收货时支付（DDU）。',
      returnsTitle: '退货',
      returnsText: '大部分商品可在收货后 30 天内退货：在“我的账户 › 订单 › 退货”中申请，打印面单或在网点出示二维码。欧盟、英国和美国免费退货，其他国家收取 €9.95。退货到仓后 3 个工作日内退款。',
      askAssistant: '问问智能助手', yourCart: '你的购物车', cartEmpty: '购物车是空的。',
      subtotal: '小计', shipping: '标准运费', total: '合计', checkout: '结账',
      checkoutNote: '这是演示商店，结账功能已停用。试着向智能助手询问配送、关税或退货问题吧。',
      footerAbout: 'Global Select B.V. · 荷兰鹿特丹 · 鹿特丹和深圳设有仓库',
      customerService: '客户服务', footerShipping: '配送与送达', footerReturns: '退货与退款',
      footerHelp: '帮助与在线咨询', hoursTitle: '服务时间',
      hoursText: '周一至周五 09:00–18:00 · 周六 10:00–14:00 · 周日休息（阿姆斯特丹时间）',
      payments: 'Visa · 万事达 · PayPal · 支付宝 · 微信支付 · Klarna · iDEAL · Bizum',
      addToCart: '加入购物车', added: '已加入购物车', remove: '删除', free: '免费',
      shipsFrom: { both: '鹿特丹和深圳仓发货', rotterdam: '鹿特丹仓发货', shenzhen: '深圳仓发货' },
      promo: '{region}：订单满 {amount} 免标准运费 · 30 天退货',
      freeReached: '已享标准配送免运费。',
      freeMissing: '再买 {amount} 即可免标准运费。',
      qty: '数量', increase: '加一件', decrease: '减一件',
      assistantLoading: '智能助手仍在加载，请稍后再试。',
      escalated: '谢谢！我们的客服人员会在这里回复你。',
      closeCart: '关闭购物车',
    },
    es: {
      skip: 'Ir a los productos', navShop: 'Tienda', navShipping: 'Envíos', navReturns: 'Devoluciones',
      language: 'Idioma', region: 'Enviar a / moneda', cart: 'Carrito',
      heroEyebrow: 'Róterdam · Shenzhen · a todo el mundo',
      heroTitle: 'Productos seleccionados de Europa y Asia, en la puerta de tu casa.',
      heroLead: 'Aranceles incluidos para la UE, Reino Unido y EE. UU. Precios en tu moneda. ¿Dudas? Nuestro asistente te responde en tu idioma, a cualquier hora.',
      heroCta: 'Ver los más vendidos',
      uspShipping: 'Sale en 1 día laborable desde Róterdam o Shenzhen',
      uspReturns: 'Devoluciones en 30 días, gratis desde la UE, Reino Unido y EE. UU.',
      uspDuties: 'Sin sorpresas de aduanas en la UE, Reino Unido y EE. UU.',
      bestsellers: 'Los más vendidos', priceNote: 'Precios con IVA incluido cuando corresponde.',
      shippingTitle: 'Envíos',
      shippingText: 'Los pedidos pagados antes de las 14:00 (hora de Ámsterdam) en día laborable salen ese mismo día. Envío estándar: UE 2–5 días laborables, Reino Unido 3–5, EE. UU. y Canadá 5–8, China, Hong Kong y Taiwán 3–6, Japón y Corea 4–7, Australia y Nueva Zelanda 6–10, Latinoamérica 10–18. Exprés con DHL Express o SF Express.',
      customsText: 'Aduanas: los aranceles y el IVA de importación están incluidos para la UE, Reino Unido y EE. UU. (DDP). En el resto, los impuestos locales se pagan en la entrega (DDU).',
      returnsTitle: 'Devoluciones',
      returnsText: 'Devuelve la mayoría de artículos en los 30 días siguientes a la entrega: empieza en Mi cuenta › Pedidos › Devolver artículos e imprime la etiqueta o muestra el código QR en un punto de entrega. Gratis desde la UE, Reino Unido y EE. UU.; 9,95 € desde otros países. Reembolso en 3 días laborables desde que llega la devolución.',
      askAssistant: 'Pregunta a nuestro asistente', yourCart: 'Tu carrito', cartEmpty: 'Tu carrito está vacío.',
      subtotal: 'Subtotal', shipping: 'Envío estándar', total: 'Total', checkout: 'Finalizar compra',
      checkoutNote: 'Esta es una tienda de demostración: el pago está desactivado. Prueba a preguntar al asistente por envíos, aduanas o devoluciones.',
      footerAbout: 'Global Select B.V. · Róterdam, Países Bajos · Almacenes en Róterdam y Shenzhen',
      customerService: 'Atención al cliente', footerShipping: 'Envíos y entregas', footerReturns: 'Devoluciones y reembolsos',
      footerHelp: 'Ayuda y chat', hoursTitle: 'Horario de atención',
      hoursText: 'Lun–vie 09:00–18:00 · Sáb 10:00–14:00 · Dom cerrado (hora de Ámsterdam)',
      payments: 'Visa · Mastercard · PayPal · Alipay · WeChat Pay · Klarna · iDEAL · Bizum',
      addToCart: 'Añadir al carrito', added: 'Añadido al carrito', remove: 'Quitar', free: 'Gratis',
      shipsFrom: { both: 'Sale de Róterdam y Shenzhen', rotterdam: 'Sale de Róterdam', shenzhen: 'Sale de Shenzhen' },
      promo: '{region}: envío estándar gratis en pedidos de más de {amount} · Devoluciones en 30 días',
      freeReached: 'Tienes envío estándar gratis.',
      freeMissing: 'Añade {amount} más para tener envío estándar gratis.',
      qty: 'Cantidad', increase: 'Uno más', decrease: 'Uno menos',
      assistantLoading: 'El asistente todavía se está cargando. Inténtalo de nuevo en un momento.',
      escalated: '¡Gracias! Una persona de nuestro equipo te responderá aquí.',
      closeCart: 'Cerrar carrito',
    },
  };

  const MAX_QTY = 10;

  // Preferences survive reloads; storage can be unavailable (private mode, blocked cookies).
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem(key); return v === null ? fallback : JSON.parse(v); } catch { return fallback; }
    },
    set(key, value) {
      try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* not persisted, still works */ }
    },
  };

  const state = {
    lang: STRINGS[store.get('gs-lang', '')] ? store.get('gs-lang', '') : guessLanguage(),
    region: REGIONS.some((r) => r.id === store.get('gs-region', '')) ? store.get('gs-region', '') : 'eu',
    cart: sanitizeCart(store.get('gs-cart', {})),
  };

  function guessLanguage() {
    const tag = (navigator.language || 'en').toLowerCase();
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('es')) return 'es';
    return 'en';
  }

  function sanitizeCart(raw) {
    const cart = {};
    if (raw && typeof raw === 'object') {
      for (const p of PRODUCTS) {
        const q = Number(raw[p.sku]);
        if (Number.isInteger(q) && q > 0) cart[p.sku] = Math.min(q, MAX_QTY);
      }
    }
    return cart;
  }

  const $ = (id) => document.getElementById(id);
  const t = (key) => STRINGS[state.lang][key] ?? STRINGS.en[key];
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => values[k]);
  const region = () => REGIONS.find((r) => r.id === state.region);

  const minorDigits = (currency) =>
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;

  // A EUR price in the shopper's currency, rounded to that currency's minor unit, so that the
  // cart lines, shipping and total shown always add up.
  function toLocal(eur) {
    const r = region();
    const scale = 10 ** minorDigits(r.currency);
    return Math.round(eur * r.rate * scale) / scale;
  }

  function formatLocal(amount) {
    return new Intl.NumberFormat(LOCALES[state.lang], { style: 'currency', currency: region().currency })
      .format(amount);
  }

  const money = (eur) => formatLocal(toLocal(eur));

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  // Amounts in the shopper's currency; the free-shipping threshold is compared in EUR, as the
  // shop's checkout does.
  function cartTotals() {
    let subtotalEur = 0;
    let subtotal = 0;
    let count = 0;
    for (const p of PRODUCTS) {
      const q = state.cart[p.sku] || 0;
      subtotalEur += q * p.price;
      subtotal += q * toLocal(p.price);
      count += q;
    }
    const r = region();
    const freeShipping = subtotalEur >= r.free;
    const shipping = count === 0 || freeShipping ? 0 : toLocal(r.ship);
    const scale = 10 ** minorDigits(r.currency);
    const round = (x) => Math.round(x * scale) / scale;
    return {
      count,
      freeShipping,
      subtotal: round(subtotal),
      shipping,
      total: round(subtotal + shipping),
      missing: freeShipping ? 0 : Math.max(0, round(toLocal(r.free) - subtotal)),
    };
  }

  function renderStaticText() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : state.lang;
    for (const node of document.querySelectorAll('[data-i18n]')) {
      const value = t(node.dataset.i18n);
      if (typeof value === 'string') node.textContent = value;
    }
    $('cart-close').setAttribute('aria-label', t('closeCart'));
    $('language-select').value = state.lang;
    const regionSelect = $('region-select');
    regionSelect.replaceChildren(...REGIONS.map((r) =>
      el('option', { value: r.id, text: `${r.label[state.lang]} · ${r.currency}` })));
    regionSelect.value = state.region;
    const r = region();
    $('promo-text').textContent = fill(t('promo'), { region: r.label[state.lang], amount: money(r.free) });
  }

  function renderProducts() {
    const grid = $('product-grid');
    grid.replaceChildren(...PRODUCTS.map((p) => {
      const name = p.name[state.lang];
      const button = el('button', { type: 'button', class: 'button button-primary add-to-cart', text: t('addToCart'),
        dataset: { sku: p.sku }, 'aria-label': `${t('addToCart')}: ${name}` });
      return el('li', { class: 'product-card', dataset: { sku: p.sku } }, [
        el('img', { src: p.image, alt: name, width: '400', height: '300', loading: 'lazy' }),
        el('div', { class: 'product-body' }, [
          el('h3', { class: 'product-name', text: name }),
          el('p', { class: 'product-blurb muted small', text: p.blurb[state.lang] }),
          el('p', { class: 'product-origin small', text: t('shipsFrom')[p.from] }),
          el('div', { class: 'product-buy' }, [
            el('span', { class: 'product-price', text: money(p.price) }),
            button,
          ]),
        ]),
      ]);
    }));
  }

  function renderCart() {
    const totals = cartTotals();
    const r = region();
    $('cart-count').textContent = String(totals.count);
    const lines = PRODUCTS.filter((p) => state.cart[p.sku]).map((p) => {
      const q = state.cart[p.sku];
      const name = p.name[state.lang];
      return el('li', { class: 'cart-line', dataset: { sku: p.sku } }, [
        el('img', { src: p.image, alt: '', width: '64', height: '48' }),
        el('div', { class: 'cart-line-info' }, [
          el('span', { class: 'cart-line-name', text: name }),
          el('span', { class: 'muted small', text: money(p.price) }),
          el('div', { class: 'qty', role: 'group', 'aria-label': `${t('qty')}: ${name}` }, [
            el('button', { type: 'button', class: 'qty-button', text: '−', 'aria-label': t('decrease'), dataset: { action: 'dec', sku: p.sku } }),
            el('span', { class: 'qty-value', text: String(q) }),
            el('button', { type: 'button', class: 'qty-button', text: '+', 'aria-label': t('increase'), dataset: { action: 'inc', sku: p.sku } }),
          ]),
        ]),
        el('div', { class: 'cart-line-end' }, [
          el('span', { class: 'cart-line-total', text: formatLocal(q * toLocal(p.price)) }),
          el('button', { type: 'button', class: 'link-button small', text: t('remove'), dataset: { action: 'remove', sku: p.sku } }),
        ]),
      ]);
    });
    $('cart-lines').replaceChildren(...lines);
    const empty = totals.count === 0;
    $('cart-empty').hidden = !empty;
    $('cart-totals').hidden = empty;
    $('checkout-button').disabled = empty;
    $('cart-subtotal').textContent = formatLocal(totals.subtotal);
    $('cart-shipping').textContent = totals.shipping === 0 ? t('free') : formatLocal(totals.shipping);
    $('cart-total').textContent = formatLocal(totals.total);
    $('free-shipping').textContent = totals.freeShipping
      ? t('freeReached')
      : fill(t('freeMissing'), { amount: formatLocal(totals.missing) });
    const level = totals.freeShipping ? 10 : Math.floor((totals.subtotal / toLocal(r.free)) * 10);
    $('free-shipping-fill').dataset.level = String(Math.min(10, level));
  }

  // Tell the assistant what is in the cart, so an escalated conversation shows the agent the
  // context. Only SKUs, quantities and amounts: no names, addresses or other personal data.
  function shareCartWithAssistant() {
    const totals = cartTotals();
    if (totals.count === 0) {
      window.Kefu('setOrder', null);
      return;
    }
    const items = PRODUCTS.filter((p) => state.cart[p.sku]).map((p) => `${p.sku} x${state.cart[p.sku]}`);
    window.Kefu('setOrder', {
      status: 'cart',
      items: items.join(', '),
      item_count: String(totals.count),
      subtotal: totals.subtotal.toFixed(minorDigits(region().currency)),
      currency: region().currency,
      ship_to: region().label.en,
    });
  }

  function setCart(sku, qty) {
    if (qty <= 0) delete state.cart[sku];
    else state.cart[sku] = Math.min(qty, MAX_QTY);
    store.set('gs-cart', state.cart);
    renderCart();
    shareCartWithAssistant();
  }

  let toastTimer = 0;
  function toast(message) {
    const node = $('toast');
    node.textContent = message;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, 3500);
  }

  let lastFocus = null;
  function openCart() {
    lastFocus = document.activeElement;
    $('cart-drawer').hidden = false;
    $('drawer-backdrop').hidden = false;
    $('cart-button').setAttribute('aria-expanded', 'true');
    document.body.classList.add('drawer-open');
    $('cart-close').focus();
  }
  function closeCart() {
    $('cart-drawer').hidden = true;
    $('drawer-backdrop').hidden = true;
    $('cart-button').setAttribute('aria-expanded', 'false');
    document.body.classList.remove('drawer-open');
    $('checkout-note').hidden = true;
    if (lastFocus && typeof lastFocus.focus === 'function') lastFocus.focus();
  }

  function openAssistant(event) {
    if (event) event.preventDefault();
    window.Kefu('open');
    // Still our stub: kefu.js has not loaded (yet), the command waits in the queue.
    if (window.Kefu === queueStub) toast(t('assistantLoading'));
  }

  function renderAll() {
    renderStaticText();
    renderProducts();
    renderCart();
  }

  function init() {
    renderAll();

    $('product-grid').addEventListener('click', (e) => {
      const button = e.target.closest('button.add-to-cart');
      if (!button) return;
      const sku = button.dataset.sku;
      setCart(sku, (state.cart[sku] || 0) + 1);
      const p = PRODUCTS.find((x) => x.sku === sku);
      toast(`${t('added')}: ${p.name[state.lang]}`);
    });

    $('cart-lines').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-action]');
      if (!button) return;
      const { action, sku } = button.dataset;
      const q = state.cart[sku] || 0;
      if (action === 'inc') setCart(sku, q + 1);
      else if (action === 'dec') setCart(sku, q - 1);
      else if (action === 'remove') setCart(sku, 0);
    });

    $('cart-button').addEventListener('click', openCart);
    $('cart-close').addEventListener('click', closeCart);
    $('drawer-backdrop').addEventListener('click', closeCart);
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !$('cart-drawer').hidden) closeCart();
    });
    $('checkout-button').addEventListener('click', () => { $('checkout-note').hidden = false; });

    $('language-select').addEventListener('change', (e) => {
      state.lang = e.target.value;
      store.set('gs-lang', state.lang);
      renderAll();
      window.Kefu('setLocale', state.lang);
    });
    $('region-select').addEventListener('change', (e) => {
      state.region = e.target.value;
      store.set('gs-region', state.region);
      renderAll();
      shareCartWithAssistant();
    });

    $('help-link').addEventListener('click', openAssistant);
    $('ask-returns').addEventListener('click', openAssistant);
    if (location.hash === '#help') openAssistant();

    // A language the shopper picked on this site wins over the browser's.
    if (store.get('gs-lang', '')) window.Kefu('setLocale', state.lang);
    if (cartTotals().count > 0) shareCartWithAssistant();
    window.Kefu('on', 'escalated', () => toast(t('escalated')));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
