<?php

declare(strict_types=1);

namespace Core\Client\Tests;

use Core\Client\CoreClient;
use DOMDocument;
use DOMElement;
use DOMXPath;
use ReflectionClass;
use ReflectionMethod;

/**
 * The client covers the served WSDL: every operation is a method with the
 * operation's parameters, and every record and input type is a class with the
 * type's fields, optional exactly where the WSDL says so.
 */
final class ContractTest extends CoreTestCase
{
    private const XS = 'http://www.w3.org/2001/XMLSchema';
    private const WSDL = 'http://schemas.xmlsoap.org/wsdl/';

    private const RECORDS = [
        'Account', 'Contact', 'Server', 'Ticket', 'Comment', 'User', 'HistoryEntry', 'FieldChange', 'PingResult',
    ];
    private const INPUTS = [
        'AccountInput', 'AccountChanges', 'AccountFilter', 'ContactInput', 'ContactChanges', 'ServerOrder',
        'ServerChanges', 'ServerFilter', 'TicketInput', 'TicketFilter', 'UserInput', 'UserChanges', 'UserFilter',
    ];

    private static ?DOMXPath $xpath = null;

    public function testEveryOperationIsAMethodAndNothingMore(): void
    {
        $operations = array_map(
            fn (DOMElement $op) => $op->getAttribute('name'),
            iterator_to_array(self::xpath()->query('//wsdl:portType/wsdl:operation')),
        );
        $methods = array_map(
            fn (ReflectionMethod $m) => $m->getName(),
            array_filter(
                (new ReflectionClass(CoreClient::class))->getMethods(ReflectionMethod::IS_PUBLIC),
                fn (ReflectionMethod $m) => !$m->isConstructor(),
            ),
        );

        $this->assertCount(35, $operations);
        $this->assertEqualsCanonicalizing($operations, $methods);
    }

    public function testMethodParametersFollowTheOperations(): void
    {
        foreach ((new ReflectionClass(CoreClient::class))->getMethods(ReflectionMethod::IS_PUBLIC) as $method) {
            if ($method->isConstructor()) {
                continue;
            }
            $expected = self::fields($method->getName());
            $actual = [];
            foreach ($method->getParameters() as $parameter) {
                $actual[$parameter->getName()] = $parameter->allowsNull();
            }
            $this->assertSame($expected, $actual, $method->getName());
        }
    }

    public function testRecordClassesHaveTheTypesFieldsInOrder(): void
    {
        foreach (self::RECORDS as $type) {
            $this->assertSame(self::fields($type), self::parameters("Core\\Client\\Model\\{$type}"), $type);
        }
    }

    public function testInputClassesHaveTheTypesFields(): void
    {
        foreach (self::INPUTS as $type) {
            $expected = self::fields($type);
            $actual = self::parameters("Core\\Client\\Input\\{$type}");
            ksort($expected);
            ksort($actual);
            $this->assertSame($expected, $actual, $type);
        }
    }

    public function testPagesWrapRepeatedRecords(): void
    {
        foreach (['Account', 'Server', 'Ticket', 'User'] as $type) {
            $this->assertSame(['items' => false, 'nextCursor' => true], self::fields("{$type}Page"));
            $this->assertSame([$type => true], self::fields("{$type}Array"));
        }
    }

    /**
     * The elements of a complex type: name => whether it may be absent.
     *
     * @return array<string, bool>
     */
    private static function fields(string $type): array
    {
        $fields = [];
        $query = "//xs:schema/xs:complexType[@name='{$type}']/xs:sequence/xs:element";
        foreach (self::xpath()->query($query) as $element) {
            \assert($element instanceof DOMElement);
            $fields[$element->getAttribute('name')] = $element->getAttribute('minOccurs') === '0';
        }
        if ($fields === [] && self::xpath()->query("//xs:complexType[@name='{$type}']")->length === 0) {
            self::fail("the WSDL has no type {$type}");
        }

        return $fields;
    }

    /**
     * @param class-string $class
     * @return array<string, bool>
     */
    private static function parameters(string $class): array
    {
        $parameters = [];
        foreach ((new ReflectionMethod($class, '__construct'))->getParameters() as $parameter) {
            $parameters[$parameter->getName()] = $parameter->allowsNull();
        }

        return $parameters;
    }

    private static function xpath(): DOMXPath
    {
        if (self::$xpath === null) {
            $document = new DOMDocument();
            $content = file_get_contents(self::wsdl());
            self::assertIsString($content);
            self::assertTrue($document->loadXML($content));
            self::$xpath = new DOMXPath($document);
            self::$xpath->registerNamespace('xs', self::XS);
            self::$xpath->registerNamespace('wsdl', self::WSDL);
        }

        return self::$xpath;
    }
}
